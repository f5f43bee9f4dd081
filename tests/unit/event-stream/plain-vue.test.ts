/**
 * useEventStream outside Nuxt: plain Vue 3 (explicit imports, no auto-imports, no window), against
 * small real HTTP servers the tests control: statuses, Retry-After, `retry:`, renew, stalls.
 */
import { EventSource as NodeEventSource } from 'eventsource'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { useEventStream } from '../../../composables/useEventStream'
import type { UseEventStreamOptions } from '../../../composables/useEventStream'
import { refuse, startEventStream, startTestServer } from '../../support/sse-test-server'

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  vi.unstubAllGlobals()
})

async function server(handle: Parameters<typeof startTestServer>[0]) {
  const started = await startTestServer(handle)
  cleanups.push(started.close)
  return started
}

function stream(url: string, options: UseEventStreamOptions<Record<string, unknown>> = {}) {
  const scope = effectScope()
  const result = scope.run(() => useEventStream(url, { shared: false, ...options }))!
  cleanups.push(() => scope.stop())
  return result
}

const payloads = (s: ReturnType<typeof stream>) => s.history.value.filter(entry => entry.kind === 'message' || entry.kind === 'event').map(entry => entry.data)
const reasons = (s: ReturnType<typeof stream>) => s.history.value.filter(entry => entry.kind === 'error' || entry.kind === 'close').map(entry => `${entry.kind}:${entry.reason}`)
const wait = { timeout: 5000, interval: 10 }

describe('fetch transport', () => {
  it('reads events, named events and comments; resumes after a clean end from the last id, after the server\'s retry:', async () => {
    const opened: number[] = []
    const { origin, requests } = await server((request, response, seen) => {
      opened.push(Date.now())
      startEventStream(response)
      if (!seen.url.searchParams.has('lastEventId')) {
        response.write('retry: 300\n\n:comment\n\nid: 1\ndata: {"n":1}\n\nid: 2\nevent: alert\ndata: plain\n\n')
        response.end()
      }
      else response.write('id: 3\ndata: {"n":3}\n\n')
    })
    const s = stream(`${origin}/events`, { transport: 'fetch', headers: { 'x-test': 'yes' } })
    await vi.waitFor(() => expect(payloads(s)).toEqual([{ n: 1 }, 'plain', { n: 3 }]), wait)
    expect(s.history.value.find(entry => entry.event === 'alert')?.kind).toBe('event')
    expect(requests[1]!.url.searchParams.get('lastEventId')).toBe('2')
    // The server's `retry: 300`, not the 1 s backoff, and not at once.
    expect(opened[1]! - opened[0]!).toBeGreaterThanOrEqual(290)
    expect(opened[1]! - opened[0]!).toBeLessThan(900)
    expect(s.status.value).toBe('open')
    expect(s.connection.value).toBeInstanceOf(Response)
  })

  it('stops on 204, as EventSource does: the stream is over', async () => {
    const { origin, requests } = await server((request, response) => {
      response.writeHead(204)
      response.end()
    })
    const s = stream(`${origin}/events`, { transport: 'fetch' })
    await vi.waitFor(() => expect(s.status.value).toBe('closed'), wait)
    expect(reasons(s)).toEqual(['close:done'])
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(requests).toHaveLength(1)
  })

  it('reports a 403 at once: closed, one request, reason forbidden', async () => {
    const { origin, requests } = await server((request, response) => refuse(response, 403))
    const s = stream(`${origin}/events`, { transport: 'fetch' })
    await vi.waitFor(() => expect(s.status.value).toBe('closed'), wait)
    expect(reasons(s)).toEqual(['error:forbidden', 'close:forbidden'])
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(requests).toHaveLength(1)
  })

  it('on 401 tries once more with a fresh token, then reports unauthorized instead of retrying in a loop', async () => {
    const { origin, requests } = await server((request, response) => refuse(response, 401, { 'www-authenticate': 'Bearer' }))
    let n = 0
    const s = stream(`${origin}/events`, { token: async () => `t${++n}` })
    await vi.waitFor(() => expect(s.status.value).toBe('closed'), wait)
    expect(requests.map(request => request.authorization)).toEqual(['Bearer t1', 'Bearer t2'])
    expect(reasons(s)).toEqual(['error:retrying', 'error:unauthorized', 'close:unauthorized'])
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(requests).toHaveLength(2)
  })

  it('honours Retry-After on a 503 rather than its own (much shorter) backoff', async () => {
    const opened: number[] = []
    const { origin } = await server((request, response) => {
      opened.push(Date.now())
      if (opened.length === 1) return refuse(response, 503, { 'retry-after': '1' })
      startEventStream(response)
      response.write('data: {"ok":true}\n\n')
    })
    const s = stream(`${origin}/events`, { transport: 'fetch', reconnect: { delay: 20 } })
    await vi.waitFor(() => expect(payloads(s)).toEqual([{ ok: true }]), wait)
    expect(opened[1]! - opened[0]!).toBeGreaterThanOrEqual(990)
  })

  it('renews an expiring token on `renew` and resumes from its last id: nothing lost, nothing twice', async () => {
    const log = ['1', '2', '3', '4']
    const { origin, requests } = await server((request, response, seen) => {
      startEventStream(response)
      const from = seen.url.searchParams.get('lastEventId')
      const rest = from ? log.slice(log.indexOf(from) + 1) : log.slice(0, 2)
      for (const id of rest) response.write(`id: ${id}\ndata: ${id}\n\n`)
      if (seen.authorization === 'Bearer old') {
        response.write('event: renew\ndata: {"reason":"token-expired"}\n\n')
        response.end()
      }
    })
    const tokens = ['old', 'new']
    const s = stream(`${origin}/events`, { token: () => tokens.shift() ?? 'none' })
    await vi.waitFor(() => expect(payloads(s)).toEqual([1, 2, 3, 4]), wait)
    expect(requests.map(request => [request.authorization, request.url.searchParams.get('lastEventId')])).toEqual([['Bearer old', null], ['Bearer new', '2']])
    expect(reasons(s)).toEqual([])
  })

  it('replaces a connection that goes silent for 2.5 heartbeats; comments count as life', async () => {
    const opened: number[] = []
    const { origin } = await server((request, response) => {
      opened.push(Date.now())
      startEventStream(response)
      if (opened.length === 1) return // silent: no event, no heartbeat, never closed
      const beat = setInterval(() => response.write(':\n\n'), 100)
      response.on('close', () => clearInterval(beat))
    })
    const s = stream(`${origin}/events`, { transport: 'fetch', heartbeat: 200 })
    await vi.waitFor(() => expect(opened).toHaveLength(2), wait)
    expect(opened[1]! - opened[0]!).toBeGreaterThanOrEqual(480)
    expect(opened[1]! - opened[0]!).toBeLessThan(1000)
    expect(reasons(s)).toEqual(['error:stalled'])
    // Comments every 100 ms: alive, never replaced.
    await new Promise(resolve => setTimeout(resolve, 800))
    expect(opened).toHaveLength(2)
    expect(s.status.value).toBe('open')
  })
})

describe('eventsource transport', () => {
  it('confirms a refusal with one request, then reports it: 401 is not retried in a loop', async () => {
    vi.stubGlobal('EventSource', NodeEventSource)
    const { origin, requests } = await server((request, response) => refuse(response, 401, { 'www-authenticate': 'Bearer' }))
    const s = stream(`${origin}/events`, { transport: 'eventsource', token: () => 'secret' })
    await vi.waitFor(() => expect(s.status.value).toBe('closed'), wait)
    expect(reasons(s)).toEqual(['error:retrying', 'error:unauthorized', 'close:unauthorized'])
    // The EventSource's request and the one confirming request, each with the URL token.
    await new Promise(resolve => setTimeout(resolve, 1500))
    expect(requests.map(request => request.url.searchParams.get('access_token'))).toEqual(['secret', 'secret'])
  })

  it('sees the named heartbeat (never recorded) and keeps a quiet stream open', async () => {
    vi.stubGlobal('EventSource', NodeEventSource)
    const { origin, requests } = await server((request, response) => {
      startEventStream(response)
      response.write('id: 1\ndata: "hello"\n\n')
      const beat = setInterval(() => response.write('event: heartbeat\ndata: {}\n\n'), 100)
      response.on('close', () => clearInterval(beat))
    })
    const s = stream(`${origin}/events?heartbeat=event`, { heartbeat: 200 })
    await vi.waitFor(() => expect(s.status.value).toBe('open'), wait)
    await new Promise(resolve => setTimeout(resolve, 1000))
    expect(requests).toHaveLength(1)
    expect(payloads(s)).toEqual(['hello'])
    expect(s.connection.value).toBeInstanceOf(NodeEventSource)
  })
})
