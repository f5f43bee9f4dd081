import type { AddressInfo, Socket } from 'node:net'
import { connect, createServer } from 'node:net'

interface ProxiedConnection {
  client: Socket
  upstream: Socket
  /** It carried a `GET /api/notify/events`. */
  stream: boolean
  /** Server-to-client bytes are swallowed: the client sees a connection that is open and silent. */
  frozen: boolean
  lastForwardAt: number
}

/**
 * A TCP proxy in front of the app that can make its open event streams go silent without closing
 * them: what a middlebox that drops a connection does. Nothing else is touched.
 */
export async function startStallProxy(target: string) {
  const { hostname, port } = new URL(target)
  const connections = new Set<ProxiedConnection>()
  /** When each `GET /api/notify/events` went through. */
  const streamRequests: number[] = []
  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname)
    const connection: ProxiedConnection = { client, upstream, stream: false, frozen: false, lastForwardAt: 0 }
    connections.add(connection)
    client.on('data', (chunk) => {
      if (chunk.toString('latin1').includes('GET /api/notify/events')) {
        connection.stream = true
        streamRequests.push(Date.now())
      }
      upstream.write(chunk)
    })
    upstream.on('data', (chunk) => {
      if (connection.frozen) return
      client.write(chunk)
      if (connection.stream) connection.lastForwardAt = Date.now()
    })
    const end = () => {
      connections.delete(connection)
      client.destroy()
      upstream.destroy()
    }
    client.on('close', end)
    upstream.on('close', end)
    client.on('error', end)
    upstream.on('error', end)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    streamRequests,
    /** Silences every open stream; returns when each last forwarded a byte. */
    freezeStreams(): number[] {
      const frozen = [...connections].filter(connection => connection.stream && !connection.frozen)
      for (const connection of frozen) connection.frozen = true
      return frozen.map(connection => connection.lastForwardAt)
    },
    close() {
      for (const connection of connections) {
        connection.client.destroy()
        connection.upstream.destroy()
      }
      return new Promise<void>(resolve => server.close(() => resolve()))
    },
  }
}
