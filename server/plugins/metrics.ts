import { WORKER_PRESET } from '#server/lib/runtime'

/**
 * Sets up the Prometheus registry with the server rather than in the first publish or scrape, which
 * should not wait for it. On Workers it happens on first use (nothing may start at start-up there).
 */
export default defineNitroPlugin(() => {
  if (!WORKER_PRESET) useNotifyMetrics()
})
