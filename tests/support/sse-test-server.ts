import type { IncomingMessage, ServerResponse } from 'node:http'
import { createServer } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export interface SeenRequest {
  url: URL
  authorization?: string
  /** The Last-Event-ID request header (what a browser's EventSource sends on its own retries). */
  lastEventId?: string
}

/**
 * A small real HTTP server on a free port, for client tests that need statuses, headers and
 * stream ends a test controls exactly. Every request is recorded; `close()` cuts open streams.
 */
export async function startTestServer(handle: (request: IncomingMessage, response: ServerResponse, seen: SeenRequest) => void) {
  const requests: SeenRequest[] = []
  const sockets = new Set<Socket>()
  const server = createServer((request, response) => {
    const lastEventId = request.headers['last-event-id']
    const seen = { url: new URL(request.url ?? '/', 'http://test'), authorization: request.headers.authorization, lastEventId: typeof lastEventId === 'string' ? lastEventId : undefined }
    requests.push(seen)
    handle(request, response, seen)
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () => {
      for (const socket of sockets) socket.destroy()
      return new Promise<void>(resolve => server.close(() => resolve()))
    },
  }
}

export function startEventStream(response: ServerResponse) {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  response.flushHeaders()
}

export function refuse(response: ServerResponse, status: number, headers: Record<string, string> = {}) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers })
  response.end(JSON.stringify({ statusCode: status, statusMessage: 'Refused', message: `refused with ${status}` }))
}
