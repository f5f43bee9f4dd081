import type { H3Event } from 'h3'
import { assertMethod } from 'h3'
import type { SseConnection, SseConnectionOptions } from '#server/lib/sse'
import { handleStreamCors } from './cors'
import type { StreamLimits } from './registry'
import { admitStream } from './registry'

/** Everything the lifecycle of a stream is configured by (`runtimeConfig.notify` has it all). */
export interface StreamSettings extends StreamLimits, SseConnectionOptions {
  /** `*` or a comma-separated allowlist of origins that may read the streams. */
  corsOrigins: string
}

/**
 * The guard of every stream route, first: CORS (a preflight is answered here: true, and the route
 * returns), then GET only (405).
 */
export function acceptStreamRequest(event: H3Event, settings: Pick<StreamSettings, 'corsOrigins'>): boolean {
  if (handleStreamCors(event, settings.corsOrigins)) return true
  assertMethod(event, 'GET')
  return false
}

/**
 * The rest of the lifecycle, once the route has validated its request, the same for every stream:
 * 1. admission under the caps: 503 with Retry-After before any byte (existing streams untouched);
 * 2. the transport opens it: 200, event-stream headers and the retry hint, in the first write;
 * 3. release of its place on every close path: the client left, the server ended it (lifetime,
 *    shutdown: `endByServer`, by default a clean end), a write failed, or it ran to its end.
 * Returns the connection; the route writes to it and returns `connection.send()`.
 */
export function openStream<Connection extends SseConnection>(
  event: H3Event,
  route: string,
  settings: StreamSettings,
  transport: (event: H3Event, options: SseConnectionOptions) => Connection,
  endByServer: (connection: Connection) => void = connection => connection.end(),
): Connection {
  // Only called later, by the sweeper or the shutdown drain: the connection exists by then.
  const release = admitStream(event, route, settings, () => endByServer(connection))
  const connection = transport(event, settings)
  connection.onClose(release)
  return connection
}
