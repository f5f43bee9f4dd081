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

/** A signed-in user's id: letters, digits, `._-`, 1 to 64 (so `user:<id>` is a topic name). */
export const USER_ID_PATTERN = /^[a-z0-9._-]{1,64}$/

/** A display name, as the demo sign-in takes it: any text of 1 to 64 characters, once trimmed, without control characters. */
export const USER_NAME_MAX = 64
export function isUserName(name: string): boolean {
  const trimmed = name.trim()
  // eslint-disable-next-line no-control-regex
  return trimmed.length > 0 && [...trimmed].length <= USER_NAME_MAX && !/[\u0000-\u001f\u007f-\u009f]/.test(trimmed)
}

/**
 * The user id a display name becomes: the one rule for the login route and the forms that address a
 * user by name, so it runs (synchronously) in the browser too. Stable (the same name, whatever its
 * case or spacing, is the same user) and topic-safe (USER_ID_PATTERN). A name that is already an id
 * once lower-cased, spaces as `-`, is that id (`Mary Jane` is `mary-jane`, `alice` stays `alice`);
 * any other (`王小明`, `José`) is its readable ASCII part, or `u`, a dot and a hash of the name
 * (`u.k1b9x0q3v2`, `jose.3xk0a9m2lq`).
 */
export function userIdOf(name: string): string {
  const plain = name.trim().normalize('NFC').toLowerCase().replace(/\s+/g, '-')
  if (USER_ID_PATTERN.test(plain)) return plain
  const readable = plain.normalize('NFKD').replace(/[^a-z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '').slice(0, 40)
  return `${readable || 'u'}.${nameHash(plain)}`
}

/**
 * cyrb53 (a public-domain 53-bit string hash) in base 36: not a secret (the demo sign-in has no
 * password), only distinct for distinct names and the same everywhere.
 */
function nameHash(text: string): string {
  let h1 = 0xDEADBEEF
  let h2 = 0x41C6CE57
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    h1 = Math.imul(h1 ^ code, 2654435761)
    h2 = Math.imul(h2 ^ code, 1597334677)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36)
}

/** The private topic of one user: only they (or a token that grants it) may read it. */
export function userTopic(userId: string): string {
  return `user:${userId}`
}

export function countingMessage(n: number): string {
  return `这是第${n}次发送的SSE数据`
}
