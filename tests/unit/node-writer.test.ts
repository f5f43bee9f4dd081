import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createServer, get } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { within } from '../support/deadline'
import { NodeWriter } from '../../server/lib/sse/node-writer'

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

const MAX_QUEUED = 64 * 1024

describe('NodeWriter, coalescing', () => {
  it('holds every response\'s bytes until the end of the turn, then sends them in order', async () => {
    const app = await serve()
    current = app.server
    const [a, b] = [await app.open(), await app.open()]
    const [writerA, writerB] = [new NodeWriter(a.res, MAX_QUEUED, true), new NodeWriter(b.res, MAX_QUEUED, true)]
    expect(writerA.write(Buffer.from('data: a1\n\n'))).toBe(true)
    writerB.write(Buffer.from('data: b1\n\n'))
    writerA.write(Buffer.from('data: a2\n\n'))
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

  it('end() sends what is held with the end of the body, and the close callbacks run once', async () => {
    const app = await serve()
    current = app.server
    const stream = await app.open()
    const writer = new NodeWriter(stream.res, MAX_QUEUED, true)
    let closes = 0
    writer.onClose(() => closes++)
    writer.write(Buffer.from('id: 1\ndata: last\n\n'))
    writer.end()
    await within(stream.ended, 5000, 'the client seeing the end of the body')
    expect(stream.received()).toBe('id: 1\ndata: last\n\n')
    await turn() // the scheduled flush finds nothing left of it, and does not throw
    expect(stream.res.writableFinished).toBe(true)
    writer.end()
    expect(writer.closed).toBe(true)
    expect(closes).toBe(1)
    expect(writer.write(Buffer.from('data: late\n\n'))).toBe(false)
  })
})

describe('NodeWriter, without coalescing (the broadcast)', () => {
  it('leaves a write to Node\'s own flush in the next tick', async () => {
    const app = await serve()
    current = app.server
    const stream = await app.open()
    const writer = new NodeWriter(stream.res, MAX_QUEUED, false)
    writer.write(Buffer.from('data: now\n\n'))
    await new Promise(resolve => process.nextTick(resolve))
    expect(stream.res.socket!.writableCorked).toBe(0)
    await expect.poll(() => stream.received()).toBe('data: now\n\n')
  })
})

describe('NodeWriter, close and backpressure', () => {
  it('a client that left: closed at once for a writer made after it, writes refused, end() does not throw', async () => {
    const app = await serve()
    current = app.server
    const stream = await app.open()
    stream.client.destroy()
    await within(new Promise(resolve => stream.res.once('close', resolve)), 5000, 'the server response closing after its client left')
    for (const coalesce of [true, false]) {
      const writer = new NodeWriter(stream.res, MAX_QUEUED, coalesce)
      let closes = 0
      writer.onClose(() => closes++)
      expect(writer.closed).toBe(true)
      expect(closes).toBe(1)
      expect(writer.write(Buffer.from('data: x\n\n'))).toBe(false)
      await turn()
      expect(() => writer.end()).not.toThrow()
      expect(closes).toBe(1)
    }
  })

  it('the client leaving closes a live writer, once', async () => {
    const app = await serve()
    current = app.server
    const stream = await app.open()
    const writer = new NodeWriter(stream.res, MAX_QUEUED, true)
    const closed = new Promise<void>(resolve => writer.onClose(resolve))
    stream.client.destroy()
    await within(closed, 5000, 'the writer\'s close callback after its client left')
    expect(writer.closed).toBe(true)
  })

  for (const coalesce of [true, false]) {
    it(`cuts off a client that stops reading once more than maxQueuedBytes are unread (coalesce: ${coalesce})`, async () => {
      const app = await serve()
      current = app.server
      const stream = await app.open()
      stream.client.pause()
      const writer = new NodeWriter(stream.res, MAX_QUEUED, coalesce)
      let closes = 0
      writer.onClose(() => closes++)
      const chunk = Buffer.alloc(MAX_QUEUED / 2, 'x')
      let accepted = 0
      // Loopback's socket buffers take a few MB before Node has to queue: 64 MB is far past them.
      while (accepted < 2048 && writer.write(chunk)) {
        accepted++
        if (accepted % 16 === 0) await new Promise(resolve => setImmediate(resolve))
      }
      expect(accepted).toBeLessThan(2048)
      expect(writer.closed).toBe(true)
      expect(closes).toBe(1)
      expect(stream.res.destroyed).toBe(true)
      expect(writer.write(chunk)).toBe(false)
    }, 20_000)
  }
})
