import type { AddressInfo } from 'node:net'
import { createServer } from 'node:http'
import { createApp, eventHandler, toNodeListener, toWebHandler } from 'h3'
import { describe, expect, it } from 'vitest'
import { within } from '../support/deadline'
import { H3_STREAM_INTERNALS, createMessageStream } from '../../server/lib/sse'
import type { MessageStream } from '../../server/lib/sse'

const OPTIONS = { maxQueuedBytes: 64 * 1024, retryMs: 2500 }

/** A counting-like stream on h3's event stream helper, through the adapter: a message every 10 ms. */
function app() {
  const state = { gone: 0, pushed: 0, streams: [] as MessageStream[] }
  const h3 = createApp()
  h3.use('/stream', eventHandler((event) => {
    const stream = createMessageStream(event, OPTIONS)
    state.streams.push(stream)
    let n = 0
    const timer = setInterval(() => {
      state.pushed++
      stream.push([{ id: String(++n), data: `m${n}` }])
    }, 10)
    stream.onClose(() => {
      clearInterval(timer)
      state.gone++
    })
    stream.push([{ id: '0', data: 'm0' }])
    return stream.send()
  }))
  return { h3, state }
}

async function readFrames(body: ReadableStream<Uint8Array>, frames: number) {
  const reader = body.getReader()
  let text = ''
  while (text.split('\n\n').length <= frames) {
    const { done, value } = await reader.read()
    if (done) throw new Error(`the stream ended after ${text.split('\n\n').length - 1} frames`)
    text += new TextDecoder().decode(value)
  }
  return { reader, text }
}

const settle = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

/**
 * h3's web adapter gives the handler what bun, deno-server and netlify give it: no Node socket, the
 * body handed back as a web ReadableStream. A cancel of h3's own readable there rejects h3's
 * `_writer.closed.then(...)` with no handler: vitest fails the run on that rejection.
 */
describe('createMessageStream on a runtime without a Node response', () => {
  it('streams frames as pushed with event-stream headers, the retry hint in the first', async () => {
    const { h3, state } = app()
    const response = await toWebHandler(h3)(new Request('http://local/stream'))
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const { reader, text } = await readFrames(response.body!, 3)
    expect(text).toMatch(/^id: 0\nretry: 2500\ndata: m0\n\nid: 1\ndata: m1\n\nid: 2\ndata: m2\n\n/)
    await reader.cancel()
    expect(state.gone).toBe(1)
  })

  it('a cancel of the body stops the work at once, and nothing rejects', async () => {
    const { h3, state } = app()
    const response = await toWebHandler(h3)(new Request('http://local/stream'))
    const { reader } = await readFrames(response.body!, 2)
    await reader.cancel()
    expect(state.gone).toBe(1)
    const pushed = state.pushed
    await settle(100)
    expect(state.pushed).toBe(pushed) // the timer is gone
    expect(state.streams[0]!.closed).toBe(true)
    expect(state.gone).toBe(1)
  })

  it('the request\'s abort signal does the same', async () => {
    const { h3, state } = app()
    const abort = new AbortController()
    const response = await toWebHandler(h3)(new Request('http://local/stream', { signal: abort.signal }))
    await readFrames(response.body!, 2)
    abort.abort()
    expect(state.gone).toBe(1)
    await settle(50)
    expect(state.gone).toBe(1)
  })

  it('end() from the server ends the body after what was pushed', async () => {
    const { h3, state } = app()
    const response = await toWebHandler(h3)(new Request('http://local/stream'))
    const { reader } = await readFrames(response.body!, 1)
    state.streams[0]!.end()
    expect(state.gone).toBe(1)
    while (!(await reader.read()).done) { /* the rest of what was queued */ }
    expect(state.streams[0]!.push([{ data: 'late' }])).toBe(false)
  })
  it('cuts off a reader that stops reading once more than maxQueuedBytes are unread, as on Node', async () => {
    const h3 = createApp()
    const state = { stream: undefined as MessageStream | undefined, closes: 0, accepted: 0 }
    h3.use('/big', eventHandler((event) => {
      const stream = state.stream = createMessageStream(event, OPTIONS)
      stream.onClose(() => state.closes++)
      return stream.send()
    }))
    const response = await toWebHandler(h3)(new Request('http://local/big'))
    expect(response.status).toBe(200)
    // Nothing reads the body: 400 KB pushed against a 64 KB cap.
    const big = 'x'.repeat(2048)
    for (let i = 0; i < 200; i++) if (state.stream!.push([{ id: String(i), data: big }])) state.accepted++
    expect(state.accepted).toBeLessThan(200)
    expect(state.stream!.closed).toBe(true)
    expect(state.closes).toBe(1)
    await response.body!.cancel().catch(() => {})
  })
})

describe('createMessageStream on a Node response', () => {
  it('writes h3\'s frames straight to the response (no send() left), and a client that leaves closes it once', async () => {
    const { h3, state } = app()
    const server = createServer(toNodeListener(h3))
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    try {
      const abort = new AbortController()
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/stream`, { signal: abort.signal })
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/)
      expect(state.streams[0]!.send()).toBeUndefined()
      const { text } = await readFrames(response.body!, 3)
      expect(text).toMatch(/^id: 0\nretry: 2500\ndata: m0\n\nid: 1\ndata: m1\n\n/)
      abort.abort()
      await within(new Promise<void>(resolve => state.streams[0]!.onClose(resolve)), 5000, 'the stream closing after its client left')
      await settle(50)
      expect(state.gone).toBe(1)
    }
    finally {
      server.closeAllConnections()
      server.close()
    }
  })
})

describe('the h3 adapter', () => {
  it('finds h3\'s private TransformStream, writer and its closed flag at start-up with the installed h3, so it never falls back', () => {
    // If an h3 upgrade drops `_transformStream`, `_writer` or `_writerIsClosed`, this fails here (and the server warns once at start-up).
    expect(H3_STREAM_INTERNALS).toBe(true)
  })
})
