/**
 * Named SSE events of this app, shared by the server that sends them and the pages that listen.
 * Imports nothing and is imported by relative path (no Nuxt alias), so the composable and the
 * Nitro routes read it the same in plain Vue, Node and Nuxt. It lives beside the composable, not
 * in shared/: Nuxt's server build externalises files of shared/, and a relative import of one
 * from the app's bundle does not resolve there.
 */
export const STREAM_EVENTS = {
  /** Follows every 10th counting message (the name the seed's Vue client listens for). */
  milestone: 'customEvent',
  /** The stream is complete; the client must not reconnect. */
  done: 'done',
  /** The client's Last-Event-ID is older than the history. */
  reset: 'reset',
  /** The event name of a publish that names none: EventSource's `onmessage`. */
  message: 'message',
  /** A publisher's own event name that the /live page listens for besides `message`. */
  alert: 'alert',
  /** The stream's token expires now: get a fresh one and reconnect with the Last-Event-ID (data: RenewPayload). */
  renew: 'renew',
  /** A heartbeat as a named event (data `{}`), only on streams opened with `?heartbeat=event`: EventSource can't see comments. */
  heartbeat: 'heartbeat',
  /** The person's inbox changed (read, archived, seen) on one of their tabs or devices: on `user:<id>`, never stored (data: InboxChange). */
  inbox: 'inbox',
} as const
