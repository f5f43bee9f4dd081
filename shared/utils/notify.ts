/** Named SSE events of this app, shared by the server that sends them and the pages that listen. */
export const STREAM_EVENTS = {
  /** Follows every 10th counting message (the name the seed's Vue client listens for). */
  milestone: 'customEvent',
  /** The stream is complete; the client must not reconnect. */
  done: 'done',
  /** The client's Last-Event-ID is older than the history. */
  reset: 'reset',
  /** Sent right before the server ends a stream whose token expires: get a fresh token, resume from Last-Event-ID. */
  renew: 'renew',
  /** A heartbeat as a named event (data `{}`), only on streams opened with `?heartbeat=event`: EventSource can't see comments. */
  heartbeat: 'heartbeat',
} as const

export const DEFAULT_TOPIC = 'broadcast'

/** Topic and event names: no whitespace, no CR/LF/NUL, nothing that could break an SSE field. */
export const NAME_PATTERN = /^[\w.:-]{1,128}$/

export function countingMessage(n: number): string {
  return `这是第${n}次发送的SSE数据`
}
