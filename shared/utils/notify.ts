/** Named SSE events: one module the server, the composable and the pages share (composables/useEventStream/stream-events.ts). */
export { STREAM_EVENTS } from '../../composables/useEventStream/stream-events'

/**
 * Topics of the demo: `broadcast`, the default of both the stream and a publish, and the two the
 * server's demo publisher feeds for the /live page.
 */
export const DEMO_TOPICS = { broadcast: 'broadcast', ticker: 'ticker', logs: 'logs' } as const

export const DEFAULT_TOPIC = DEMO_TOPICS.broadcast

/** Topic and event names: no whitespace, no CR/LF/NUL, nothing that could break an SSE field. */
export const NAME_PATTERN = /^[\w.:-]{1,128}$/

/** What NAME_PATTERN asks for, in the words of every error that refuses a name. */
export const NAME_RULE = 'must be 1 to 128 letters, digits or "._:-"'

/** A signed-in user's id: what they signed in as, lower-cased; letters, digits, `._-`, 1 to 64. */
export const USER_ID_PATTERN = /^[a-z0-9._-]{1,64}$/

/** A sign-in name: USER_ID_PATTERN before lower-casing. */
export const USER_NAME_PATTERN = /^[\w.-]{1,64}$/

/** The user id a (trimmed) sign-in name becomes: the one rule for the login route and the forms that address a user. */
export function userIdOf(name: string): string {
  return name.trim().toLowerCase()
}

/** The private topic of one user: only they (or a token that grants it) may read it. */
export function userTopic(userId: string): string {
  return `user:${userId}`
}

export function countingMessage(n: number): string {
  return `这是第${n}次发送的SSE数据`
}
