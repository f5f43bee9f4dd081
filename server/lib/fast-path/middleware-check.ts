import { MIDDLEWARE_STREAMS_NEED_NOT_SEE } from './pipeline-table'

/**
 * The `server/middleware/` files the stream lane would keep from the stream routes, other than
 * those known not to need them (`MIDDLEWARE_STREAMS_NEED_NOT_SEE`): a new one that should see the
 * streams (an auth check, a log line) must not miss them silently.
 */
export function middlewareTheLaneSkips(names: readonly string[]): string[] {
  return names.filter(name => !(name in MIDDLEWARE_STREAMS_NEED_NOT_SEE))
}

export function warnOfSkippedMiddleware(names: readonly string[]): void {
  for (const name of middlewareTheLaneSkips(names)) {
    console.warn(`[notify] server/middleware/${name} does not run for the stream routes (/api/notify/events, `
      + '/api/notify/stream, /notify/stream) on this preset: they take the stream lane (server/lib/fast-path, '
      + 'docs/performance.md). A route rule on their path puts them back in the whole pipeline; if the file '
      + 'need not see them, name it in MIDDLEWARE_STREAMS_NEED_NOT_SEE (server/lib/fast-path/pipeline-table.ts).')
  }
}
