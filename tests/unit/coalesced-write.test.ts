import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createServer, get } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { within } from '../support/deadline'
import { endCoalesced, writeCoalesced } from '../../server/lib/sse/coalesced-write'

/** A real node:http server handing each request's response to the test; chunked, as an event stream is. */
async function serve() {
  const responses: ServerResponse[] = []
  const waiting: Array<(res: ServerResponse) => void> = []
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.flushHeaders()
    const next = waiting.shift()
    if (next) next(res)
    else responses.push(res)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    server,
    /** Opens a request; resolves with the server's response and the client's incoming side. */
    async open() {
      const serverSide = new Promise<ServerResponse>(resolve => responses.length ? resolve(responses.shift()!) : waiting.push(resolve))
      const clientSide = await new Promise<IncomingMessage>((resolve, reject) => get({ host: '127.0.0.1', port, path: '/' }, resolve).on('error', reject))
      clientSide.setEncoding('utf8')
      let text = ''
      clientSide.on('data', (chunk: string) => text += chunk)
      const ended = new Promise<void>(resolve => clientSide.on('end', resolve))
      return { res: await serverSide, client: clientSide, received: () => text, ended }
    },
  }
}

const turn = () => new Promise(resolve => setImmediate(resolve))
let current: Server | undefined
afterEach(() => current?.close())

describe('writeCoalesced', () => {
  it('holds every response\'s bytes until the end of the turn, then sends them in order', async () => {
    const app = await serve()
    current = app.server
    const [a, b] = [await app.open(), await app.open()]
    writeCoalesced(a.res, Buffer.from('data: a1\n\n'))
    writeCoalesced(b.res, Buffer.from('data: b1\n\n'))
    writeCoalesced(a.res, Buffer.from('data: a2\n\n'))
    // Past the next tick, where Node flushes a plain res.write on its own, the bytes are still held.
    await new Promise(resolve => process.nextTick(resolve))
    expect(a.res.socket!.writableCorked).toBe(1)
    expect(b.res.socket!.writableCorked).toBe(1)
    await turn()
    expect(a.res.socket!.writableCorked).toBe(0)
    expect(b.res.socket!.writableCorked).toBe(0)
    await expect.poll(() => a.received()).toBe('data: a1\n\ndata: a2\n\n')
    await expect.poll(() => b.received()).toBe('data: b1\n\n')
  })

  it('endCoalesced sends what is held with the end of the body', async () => {
    const app = await serve()
    current = app.server
    const stream = await app.open()
    writeCoalesced(stream.res, Buffer.from('id: 1\ndata: last\n\n'))
    endCoalesced(stream.res)
    await stream.ended
    expect(stream.received()).toBe('id: 1\ndata: last\n\n')
    await turn() // the scheduled flush finds nothing left of it, and does not throw
    expect(stream.res.writableFinished).toBe(true)
  })

  it('a response whose client left takes writes and the end without throwing', async () => {
    const app = await serve()
    current = app.server
    const stream = await app.open()
    stream.client.destroy()
    await within(new Promise(resolve => stream.res.once('close', resolve)), 5000, 'the server response closing after its client left')
    expect(() => writeCoalesced(stream.res, Buffer.from('data: x\n\n'))).not.toThrow()
    await turn()
    expect(() => endCoalesced(stream.res)).not.toThrow()
  })
})
