/** Ticks of every aligned interval fall on multiples of this many milliseconds of the process's clock. */
export const TICK_GRID_MS = 10

/** Callbacks that tick together: same first tick on the grid, same interval, one timer. */
interface TickGroup {
  members: Set<() => void>
  timer: ReturnType<typeof setTimeout>
}

/** Groups still waiting for their first tick, by `<clock time of that tick>/<interval>`. */
const waiting = new Map<string, TickGroup>()

function tick(group: TickGroup) {
  for (const member of group.members) {
    try {
      member()
    }
    catch (error) {
      // Reported as uncaught, as a timer of its own would, without skipping the rest of the group.
      queueMicrotask(() => {
        throw error
      })
    }
  }
}

/**
 * `setInterval` whose first tick, one interval away, is moved forward to the next multiple
 * of `gridMs` of `performance.now()`, where it joins every other interval of the same length due
 * then: one timer ticks them all, in one event-loop turn. Streams started at different moments then
 * send in the same turn, and their frames leave in one batch of writes (see `node-writer.ts`)
 * instead of a turn each. The cost is one extra wait of under `gridMs`. Returns the cancel.
 */
export function setAlignedInterval(callback: () => void, intervalMs: number, gridMs = TICK_GRID_MS): () => void {
  // Monotonic, unlike Date.now(): a wall clock set back must not bring a group's first tick forward.
  const now = performance.now()
  const at = Math.ceil((now + intervalMs) / gridMs) * gridMs
  const key = `${at}/${intervalMs}`
  let group = waiting.get(key)
  if (!group) {
    const created: TickGroup = {
      members: new Set(),
      timer: setTimeout(() => {
        waiting.delete(key)
        created.timer = setInterval(tick, intervalMs, created)
        tick(created)
      }, at - now),
    }
    waiting.set(key, group = created)
  }
  const member = () => callback() // its own identity, even when the same callback is added twice
  group.members.add(member)
  return () => {
    if (!group.members.delete(member) || group.members.size > 0) return
    // One timer list in Node and per the HTML spec: clearTimeout clears an interval too.
    clearTimeout(group.timer)
    if (waiting.get(key) === group) waiting.delete(key)
  }
}
