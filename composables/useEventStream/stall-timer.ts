/** How many heartbeat intervals of silence mean a dead connection: one late beat is not enough. */
export const STALL_FACTOR = 2.5

export interface StallTimer {
  /** Something arrived (an event, a heartbeat, the open): the connection is alive. */
  touch: () => void
  stop: () => void
}

/**
 * Calls `onStall` once when `touch()` has not been called for `STALL_FACTOR` heartbeat intervals.
 * One timer, re-armed lazily: a burst of events costs a `Date.now()` each, not a clearTimeout.
 */
export function createStallTimer(heartbeatMs: number, onStall: () => void): StallTimer {
  const limit = heartbeatMs * STALL_FACTOR
  let last = Date.now()
  let timer: ReturnType<typeof setTimeout> | undefined

  function arm(ms: number) {
    timer = setTimeout(check, ms)
  }
  function check() {
    const silent = Date.now() - last
    if (silent >= limit) {
      timer = undefined
      onStall()
    }
    else arm(limit - silent)
  }
  arm(limit)
  return {
    touch: () => {
      last = Date.now()
    },
    stop: () => {
      clearTimeout(timer)
      timer = undefined
    },
  }
}
