/** This app's own server routes (API answers and event streams): none of them renders a page. */
const OWN_ROUTES = /^\/(?:api|notify)\//

/** The event-stream routes: their handlers take every method (405, CORS preflight), so none falls through to a page. */
const STREAM_ROUTES = new Set(['/api/notify/events', '/api/notify/stream', '/notify/stream'])

export function isOwnRoute(path: string): boolean {
  return OWN_ROUTES.test(path)
}

/** A request path (`event.path`) split at its query: the route part and what follows the `?` ('' without one). */
export function splitQuery(path: string): [route: string, search: string] {
  const query = path.indexOf('?')
  return query === -1 ? [path, ''] : [path.slice(0, query), path.slice(query + 1)]
}

/** The stream route `path` asks for, spelled exactly (a query is allowed): the cheap check of every request. */
export function streamRouteOf(path: string): string | undefined {
  const [route] = splitQuery(path)
  return STREAM_ROUTES.has(route) ? route : undefined
}

/** `path` may carry a query; a trailing slash is the same route. */
export function isStreamRoute(path: string): boolean {
  const [route] = splitQuery(path)
  return STREAM_ROUTES.has(route) || STREAM_ROUTES.has(route.replace(/(?<=.)\/+$/, ''))
}
