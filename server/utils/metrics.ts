import type { H3Event } from 'h3'
import { readPresentedToken, tokensMatch, useAccessConfig } from '#server/lib/access'
import { type NotifyMetrics, countPublishDuration, createNotifyMetrics } from '#server/lib/metrics'

let metrics: NotifyMetrics | undefined

/**
 * The process's Prometheus registry (server/lib/metrics), made once: it reads the open streams,
 * the bus and the plain counts when scraped and keeps no state of its own but the publish histogram.
 */
export function useNotifyMetrics(): NotifyMetrics {
  metrics ??= createNotifyMetrics({
    openStreamsByRoute: () => openStreams().byRoute,
    bus: () => {
      const { bus } = useBroadcastHub()
      return { ...bus.health(), published: bus.publishedCount }
    },
    onlineUsers: () => usePresence().onlineUsersHere(),
    eventLoopDelayMs: () => {
      try {
        return runtimeMetrics().eventLoopDelayMs
      }
      catch { /* a runtime without the process APIs it reads */ }
    },
  })
  return metrics
}

/** Starts timing one publish; call the result once the bus has acknowledged it. */
export function startPublishTimer(): () => void {
  const started = performance.now()
  return () => {
    const seconds = (performance.now() - started) / 1000
    useNotifyMetrics().publishDuration.observe(seconds)
    countPublishDuration(seconds)
  }
}

/**
 * Operators only (the metrics): the admin token, NUXT_NOTIFY_METRICS_TOKEN when set, else the
 * publish token. 503 when neither is configured, 401 (with WWW-Authenticate) when the request's is
 * missing or wrong; compared in constant time.
 */
export async function requireAdminToken(event: H3Event): Promise<void> {
  const expected = useAccessConfig().adminToken
  if (!expected) {
    throw createError({
      statusCode: 503,
      statusMessage: 'Service Unavailable',
      message: 'No admin token is configured. Set NUXT_NOTIFY_METRICS_TOKEN (or NUXT_NOTIFY_PUBLISH_TOKEN) and restart the server.',
    })
  }
  // Header, then the notify_token cookie, then ?access_token=.
  const given = readPresentedToken(event)?.token
  if (!given || !(await tokensMatch(given, expected))) {
    setResponseHeader(event, 'www-authenticate', 'Bearer realm="notify"')
    throw createError({
      statusCode: 401,
      statusMessage: 'Unauthorized',
      message: given ? 'The admin token is wrong.' : 'Missing admin token: send "Authorization: Bearer <token>".',
    })
  }
}
