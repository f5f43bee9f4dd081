/** This app's own server routes (API answers and event streams): none of them renders a page. */
const OWN_ROUTES = /^\/(?:api|notify)\//

/** The event-stream routes: their handlers take every method (405, CORS preflight), so none falls through to a page. */
const STREAM_ROUTES = new Set(['/api/notify/events', '/api/notify/stream', '/notify/stream'])

export function isOwnRoute(path: string): boolean {
  return OWN_ROUTES.test(path)
}

/** `path` may carry a query; a trailing slash is the same route. */
export function isStreamRoute(path: string): boolean {
  return STREAM_ROUTES.has(path.replace(/[?#].*$/, '').replace(/(?<=.)\/+$/, ''))
}
