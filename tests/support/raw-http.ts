import { connect, type Socket } from 'node:net'

/**
 * Opens a stream over a bare TCP socket and resolves once its first bytes (headers and the first
 * frame) have arrived: the cheapest client there is, for thousands of connections.
 */
export function openRawStream(base: string, path: string, headers: Record<string, string> = {}): Promise<{ socket: Socket, received: () => string }> {
  const { hostname, port } = new URL(base)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname)
    let text = ''
    const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('')
    socket.setEncoding('utf8')
    socket.once('error', reject)
    socket.once('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nhost: ${hostname}\r\naccept: text/event-stream\r\n${extra}\r\n`))
    socket.on('data', (chunk: string) => {
      const first = text === ''
      text += chunk
      if (first) resolve({ socket, received: () => text })
    })
  })
}

/** Runs `task` `count` times with at most `concurrency` at once. */
export async function runPool(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) await task(next++)
  }))
}
