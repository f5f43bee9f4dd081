import { createApp, createEventStream, eventHandler, toWebHandler } from 'h3'
import { describe, expect, it } from 'vitest'
import { H3_STREAM_INTERNALS, sendEventStream } from '../../server/lib/sse/event-stream'

/**
 * h3's web adapter gives the handler what bun, deno-server and netlify give it: no Node socket, the
 * body handed back as a web ReadableStream. Without sendEventStream a cancel of that body rejects
 * h3's own `_writer.closed.then(...)` with no handler: vitest fails the run on that rejection.
 */
function serve() {
  const state = { gone: 0, started: 0 }
  const app = createApp()
  app.use('/stream', eventHandler((event) => {
    const stream = createEventStream(event)
    let n = 0
    const timer = setInterval(() => {
      state.started++
      void stream.push(String(++n))
    }, 10)
    void stream.push('0')
    return sendEventStream(event, stream, () => {
      clearInterval(timer)
      state.gone++
    })
  }))
  return { handler: toWebHandler(app), state }
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

describe('sendEventStream on a runtime without a Node response', () => {
  it('streams frames as pushed with event-stream headers', async () => {
    const { handler, state } = serve()
    const response = await handler(new Request('http://local/stream'))
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const { reader, text } = await readFrames(response.body!, 3)
    expect(text).toMatch(/^data: 0\n\ndata: 1\n\ndata: 2\n\n/)
    await reader.cancel()
    expect(state.gone).toBe(1)
  })

  it('a cancel of the body stops the work at once, closes h3\'s stream cleanly, and nothing rejects', async () => {
    const { handler, state } = serve()
    const response = await handler(new Request('http://local/stream'))
    const { reader } = await readFrames(response.body!, 2)
    await reader.cancel()
    expect(state.gone).toBe(1)
    const started = state.started
    await new Promise(resolve => setTimeout(resolve, 100))
    expect(state.started).toBe(started) // the timer is gone
    expect(state.gone).toBe(1)
  })

  it('the request\'s abort signal does the same', async () => {
    const { handler, state } = serve()
    const abort = new AbortController()
    const response = await handler(new Request('http://local/stream', { signal: abort.signal }))
    await readFrames(response.body!, 2)
    abort.abort()
    expect(state.gone).toBe(1)
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(state.gone).toBe(1)
  })
})

describe('the h3 adapter', () => {
  it('finds h3\'s private TransformStream, writer and its closed flag at start-up with the installed h3, so it never falls back', () => {
    // If an h3 upgrade drops `_transformStream`, `_writer` or `_writerIsClosed`, this fails here (and the server warns once at start-up).
    expect(H3_STREAM_INTERNALS).toBe(true)
  })
})
