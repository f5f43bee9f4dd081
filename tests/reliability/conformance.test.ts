import { createPage, fetch, url } from '@nuxt/test-utils/e2e'
import { EventSource } from 'eventsource'
import { describe, expect, it } from 'vitest'
import type { BroadcastPayload } from '#shared/types/notify'
import { setupServer } from '../support/server'
import { openSse } from '../support/sse'

const { publish } = await setupServer({ NUXT_NOTIFY_RETRY_MS: '100' }, { browser: true })

const PAYLOADS = ['a\nb', 'a\rb', 'a\r\nb', 'trailing\n', '', '这是第1次 🚀 \u2028', '\nid: x\nevent: evil\n\ndata: injected', 'data: x', ':comment']

/** Collects `count` messages through a real, spec-following EventSource (the `eventsource` package). */
function collect(path: string, count: number, events: string[] = []): Promise<Array<{ type: string, data: string, lastEventId: string }>> {
  return new Promise((resolve, reject) => {
    const source = new EventSource(url(path))
    const received: Array<{ type: string, data: string, lastEventId: string }> = []
    const take = (event: MessageEvent) => {
      received.push({ type: event.type, data: event.data, lastEventId: event.lastEventId })
      if (received.length === count) {
        source.close()
        resolve(received)
      }
    }
    source.onmessage = take
    for (const name of events) source.addEventListener(name, take)
    setTimeout(() => reject(new Error(`only ${received.length} of ${count} after 5 s`)), 5000)
  })
}

/** How an EventSource ends up after an error: CLOSED means it will not reconnect. */
function settle(path: string): Promise<number> {
  return new Promise((resolve) => {
    const source = new EventSource(url(path))
    source.onerror = () => setTimeout(() => {
      resolve(source.readyState)
      source.close()
    }, 300)
  })
}

describe('SSE conformance (WHATWG rules)', () => {
  it('delivers hostile payloads whole through the eventsource package', async () => {
    const receiving = collect('/api/notify/events?topic=conformance', PAYLOADS.length, ['evil'])
    await new Promise(resolve => setTimeout(resolve, 300))
    for (const data of PAYLOADS) await publish({ topic: 'conformance', data })
    const received = await receiving
    expect(received.map(event => event.type)).toEqual(PAYLOADS.map(() => 'message'))
    expect(received.map(event => (JSON.parse(event.data) as BroadcastPayload).data)).toEqual(PAYLOADS)
    expect(received.every(event => /^\d+-\d+$/.test(event.lastEventId))).toBe(true)
  })

  it('delivers them whole through Chromium too', async () => {
    const page = await createPage('/')
    // `window.`: this file imports EventSource and fetch for Node, the page must use its own.
    const receiving = page.evaluate(({ source, count }) => new Promise<string[]>((resolve) => {
      const es = new window.EventSource(source)
      const data: string[] = []
      es.onmessage = (event) => {
        data.push(JSON.parse(event.data).data)
        if (data.length === count) {
          es.close()
          resolve(data)
        }
      }
    }), { source: '/api/notify/events?topic=chromium', count: PAYLOADS.length })
    await new Promise(resolve => setTimeout(resolve, 500))
    for (const data of PAYLOADS) await publish({ topic: 'chromium', data })
    expect(await receiving).toEqual(PAYLOADS)
    await page.close()
  })

  it('emits no BOM, digits-only retry, and ids and names free of CR, LF and NUL', async () => {
    const stream = await openSse('/api/notify/events?topic=wire')
    await publish({ topic: 'wire', event: 'named.event:1', data: { a: '\u0000\r\n' } })
    await stream.until(s => s.events.length === 1)
    stream.close()
    const counting = await openSse('/api/notify/stream?count=12&interval=10')
    await counting.ended
    for (const raw of [stream.raw, counting.raw]) {
      expect(raw.charCodeAt(0)).not.toBe(0xFEFF)
      for (const line of raw.split('\n')) {
        if (line.startsWith('retry:')) expect(line).toMatch(/^retry: \d+$/)
        if (line.startsWith('id:') || line.startsWith('event:')) expect(line).not.toMatch(/[\r\0]/)
        expect(line).toMatch(/^(?:$|:.*|(?:id|event|data|retry): .*)$/)
      }
    }
    expect(stream.events[0]).toMatchObject({ event: 'named.event:1' })
  })

  it('answers a finished stream with 204 and errors with 4xx/5xx: EventSource stops instead of looping', async () => {
    expect(await settle('/api/notify/stream?count=3&lastEventId=3')).toBe(EventSource.CLOSED)
    expect(await settle('/api/notify/stream?count=0')).toBe(EventSource.CLOSED)
    expect(await settle('/api/notify/events?topic=bad%20topic')).toBe(EventSource.CLOSED)
    // A stream the server ends normally is a reconnect (the browser's job), not an error loop:
    // the counting stream's `done` is the client's signal to stop, and its reconnect gets the 204
    // checked on the first line above.
    const events = await collect('/api/notify/stream?count=2&interval=10', 3, ['done'])
    expect(events.map(event => event.type)).toEqual(['message', 'message', 'done'])
  })

  it('lets a cross-origin client send a long or odd Last-Event-ID (preflight allows it)', async () => {
    const preflight = await fetch('/api/notify/events', {
      method: 'OPTIONS',
      headers: { 'origin': 'https://elsewhere.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'last-event-id' },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/last-event-id/)
    const page = await createPage('/')
    // From an opaque origin a custom header forces a real CORS preflight in Chromium.
    const answer = await page.evaluate(async (target) => {
      const response = await window.fetch(target, { headers: { 'last-event-id': `${'é'.repeat(300)}<script>"';` } })
      const reader = response.body!.getReader()
      let text = ''
      while (!text.includes('event: reset')) {
        const { done, value } = await reader.read()
        if (done) throw new Error(`the stream ended before a reset: ${text}`)
        text += new TextDecoder().decode(value)
      }
      await reader.cancel()
      return { status: response.status, text }
    }, url('/api/notify/events?topic=odd').replace('127.0.0.1', 'localhost'))
    expect(answer.status).toBe(200)
    expect(answer.text).toMatch(/event: reset\ndata: \{"reason":"unknown-id"/)
    await page.close()
  })
})
