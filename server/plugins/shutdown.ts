import { NITRO_PRESET } from '#server/lib/runtime'
import { drainStreams } from '#server/lib/streams'

/**
 * SIGTERM/SIGINT: end every stream at once, cleanly, so clients reconnect (to another instance) with
 * their Last-Event-ID, and refuse new ones. Nitro's own graceful shutdown then sees the connections
 * go idle, lets in-flight publishes finish, runs the `close` hook (which closes the bus and Redis) and
 * exits 0. Without this it would wait its full timeout for streams that never end by themselves.
 *
 * Only node-server and node-cluster have that graceful shutdown. On bun and deno-server a listener
 * here replaces the runtime's default exit on the signal, so the process ignored SIGTERM (docker stop
 * waited for its SIGKILL): there we run the `close` hook and exit ourselves.
 */
export default defineNitroPlugin((nitroApp) => {
  if (typeof process === 'undefined' || typeof process.once !== 'function') return
  const exitAfterDrain = NITRO_PRESET === 'bun' || NITRO_PRESET === 'deno-server'
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      drainStreams()
      if (exitAfterDrain) void nitroApp.hooks.callHook('close').finally(() => process.exit(0))
    })
  }
})
