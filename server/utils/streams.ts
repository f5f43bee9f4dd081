import type { H3Event } from 'h3'
import type { SseConnection, SseConnectionOptions } from '#server/lib/sse'
import { acceptStreamRequest as accept, openStream as open } from '#server/lib/streams'

/** The stream lifecycle (server/lib/streams) with this server's settings. */

/** Guard of a stream route: answers a CORS preflight (true: return), refuses other methods than GET. */
export function acceptStreamRequest(event: H3Event): boolean {
  return accept(event, useNotifyConfig())
}

/** Admits the stream under the caps, opens it on `transport`, releases it on every close path. */
export function openStream<Connection extends SseConnection>(
  event: H3Event,
  route: string,
  transport: (event: H3Event, options: SseConnectionOptions) => Connection,
  endByServer?: (connection: Connection) => void,
): Connection {
  return open(event, route, useNotifyConfig(), transport, endByServer)
}

export { drainStreams, openStreams } from '#server/lib/streams'
