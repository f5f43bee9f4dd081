/**
 * Sets up the Prometheus registry with the server rather than in the first publish or scrape: loading
 * prom-client and starting its default collectors (event-loop monitor, GC observer) blocks the event
 * loop for a moment, which a request should not wait for. On Workers it still happens on first use
 * (nothing may start at start-up there).
 */
export default defineNitroPlugin(() => {
  if (!WORKER_PRESET) useNotifyMetrics()
})
