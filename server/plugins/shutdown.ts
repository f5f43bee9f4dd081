/**
 * SIGTERM/SIGINT: end every stream at once, cleanly, so clients reconnect (to another instance) with
 * their Last-Event-ID, and refuse new ones. Nitro's own graceful shutdown then sees the connections
 * go idle, lets in-flight publishes finish, runs the `close` hook (which closes the bus and Redis) and
 * exits 0. Without this it would wait its full timeout for streams that never end by themselves.
 */
export default defineNitroPlugin(() => {
  if (typeof process === 'undefined' || typeof process.once !== 'function') return
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, drainStreams)
})
