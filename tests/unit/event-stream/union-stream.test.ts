/**
 * The union stream on Node's own Web Locks and BroadcastChannel: several composables in one process
 * stand for several consumers (tabs, or the inbox plugin and a page in one tab) of one broadcast
 * endpoint with different topics. One connection carries the union; each consumer gets its own topics.
 * The browser version is tests/browser/union-stream.test.ts.
 */
import type { ServerResponse } from 'node:http'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { useEventStream } from '../../../composables/useEventStream'
import { refuse, startEventStream, startTestServer } from '../../support/sse-test-server'

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

interface Published { id: number, topic: string }

/** A tiny topic hub: ids ordered across topics, replay after `lastEventId` of the asked topics, `secret` refused. */
async function topicServer() {
  const log: Published[] = []
  const open = new Map<ServerResponse, Set<string>>()
  const frame = (event: Published) => `id: ${event.id}\ndata: ${JSON.stringify({ topic: event.topic, data: event.id })}\n\n`
  const started = await startTestServer((request, response, seen) => {
    const topics = new Set(seen.url.searchParams.getAll('topic'))
    if (topics.has('secret')) return refuse(response, 403)
    startEventStream(response)
    const from = Number(seen.url.searchParams.get('lastEventId') ?? Number.POSITIVE_INFINITY)
    for (const event of log) if (event.id > from && topics.has(event.topic)) response.write(frame(event))
    open.set(response, topics)
    response.on('close', () => open.delete(response))
  })
  cleanups.push(started.close)
  return {
    ...started,
    open,
    /** The topics of each stream request, in order. */
    asked: () => started.requests.map(seen => seen.url.searchParams.getAll('topic').sort().join(',')),
    publish(topic: string): number {
      const event = { id: log.length + 1, topic }
      log.push(event)
      for (const [response, topics] of open) if (topics.has(topic)) response.write(frame(event))
      return event.id
    },
  }
}

function consumer(url: string, lastEventId?: string) {
  const scope = effectScope()
  const stream = scope.run(() => useEventStream<{ message: { topic: string, data: number } }>(url, { transport: 'fetch', seed: lastEventId ? { events: [], lastEventId } : undefined }))!
  const stop = () => scope.stop()
  cleanups.push(stop)
  return { ...stream, stop }
}

const received = (c: ReturnType<typeof consumer>) => c.history.value.filter(entry => entry.kind === 'message').map(entry => `${entry.data?.topic}-${entry.data?.data}`)
const wait = { timeout: 5000, interval: 10 }

describe('union stream: one connection for every topic a browser wants', () => {
  it('opens one stream for consumers of different topics (one connect), and gives each only its own, once', async () => {
    const hub = await topicServer()
    // A cursor to resume from (as from GET /api/notify/recent): the first leader waits for the others.
    const cursor = String(hub.publish('z'))
    const a = consumer(`${hub.origin}/events?topic=a`, cursor)
    const b = consumer(`${hub.origin}/events?topic=b&heartbeat=event`, cursor)
    const ab = consumer(`${hub.origin}/events?topic=a&topic=b`, cursor)
    await vi.waitFor(() => expect([a, b, ab].map(c => c.status.value)).toEqual(['open', 'open', 'open']), wait)
    expect(hub.asked()).toEqual(['a,b'])
    expect(hub.requests[0]!.url.searchParams.get('heartbeat')).toBe('event')
    const ids = ['a', 'b', 'a', 'b'].map(topic => `${topic}-${hub.publish(topic)}`)
    await vi.waitFor(() => expect(received(ab)).toEqual(ids), wait)
    expect(received(a)).toEqual(ids.filter(id => id.startsWith('a')))
    expect(received(b)).toEqual(ids.filter(id => id.startsWith('b')))
    expect(hub.open.size).toBe(1)
  })

  it('without a position to resume from, the first leader connects at once (waiting would miss live events), then grows', async () => {
    const hub = await topicServer()
    const a = consumer(`${hub.origin}/events?topic=a`)
    await vi.waitFor(() => expect(a.leader.value).toBe(true), wait)
    // Well inside the debounce: a leader that waited would connect once, with both topics.
    await new Promise(resolve => setTimeout(resolve, 20))
    const b = consumer(`${hub.origin}/events?topic=b`)
    await vi.waitFor(() => expect(hub.asked()).toEqual(['a', 'a,b']), wait)
    await vi.waitFor(() => expect([a, b].map(c => c.status.value)).toEqual(['open', 'open']), wait)
    const ids = ['a', 'b'].map(topic => `${topic}-${hub.publish(topic)}`)
    await vi.waitFor(() => expect([received(a), received(b)]).toEqual([[ids[0]], [ids[1]]]), wait)
  })

  it('grows: a consumer that joins with a new topic gets that topic from its own cursor, nothing older; the others nothing twice', async () => {
    const hub = await topicServer()
    const a = consumer(`${hub.origin}/events?topic=a`)
    await vi.waitFor(() => expect(a.status.value).toBe('open'), wait)
    const early = hub.publish('c')
    const cursor = String(hub.publish('a'))
    const missed = hub.publish('c')
    hub.publish('a')
    await vi.waitFor(() => expect(received(a)).toEqual([`a-${cursor}`, `a-${Number(cursor) + 2}`]), wait)
    // Its cursor (as from GET /api/notify/recent) is older than the stream's position.
    const c = consumer(`${hub.origin}/events?topic=c`, cursor)
    await vi.waitFor(() => expect(hub.asked().at(-1)).toBe('a,c'), wait)
    await vi.waitFor(() => expect(c.status.value).toBe('open'), wait)
    const later = ['a', 'c'].map(topic => `${topic}-${hub.publish(topic)}`)
    await vi.waitFor(() => expect(received(c)).toEqual([`c-${missed}`, later[1]]), wait)
    await vi.waitFor(() => expect(received(a)).toEqual([`a-${cursor}`, `a-${Number(cursor) + 2}`, later[0]]), wait)
    expect(received(c)).not.toContain(`c-${early}`)
    expect(hub.open.size).toBe(1)
  })

  it('shrinks, and keeps the union when the leader leaves: the next one resumes with the rest of it', async () => {
    const hub = await topicServer()
    const cursor = String(hub.publish('z'))
    const all = { a: consumer(`${hub.origin}/events?topic=a`, cursor), b: consumer(`${hub.origin}/events?topic=b`, cursor), c: consumer(`${hub.origin}/events?topic=c`, cursor) }
    const consumers = Object.values(all)
    await vi.waitFor(() => expect(consumers.map(x => x.status.value)).toEqual(['open', 'open', 'open']), wait)
    expect(hub.asked()).toEqual(['a,b,c'])
    const before = Object.keys(all).map(topic => `${topic}-${hub.publish(topic)}`)
    for (const [i, x] of consumers.entries()) await vi.waitFor(() => expect(received(x)).toEqual([before[i]]), wait)

    const leaving = consumers.find(x => x.leader.value)!
    leaving.stop()
    const rest = Object.entries(all).filter(([, x]) => x !== leaving)
    const restTopics = rest.map(([topic]) => topic).join(',')
    // Published while the leader changes: the next one resumes from the last id it heard.
    const during = Object.keys(all).map(topic => `${topic}-${hub.publish(topic)}`)
    await vi.waitFor(() => expect(hub.asked().at(-1)).toBe(restTopics), wait)
    await vi.waitFor(() => expect(hub.open.size).toBe(1), wait)
    for (const [topic, x] of rest) await vi.waitFor(() => expect(received(x)).toEqual([...before, ...during].filter(id => id.startsWith(topic))), wait)
    expect(rest.filter(([, x]) => x.leader.value)).toHaveLength(1)
  })

  it('a refused union costs only the consumer that asked for the refused topic', async () => {
    const hub = await topicServer()
    const a = consumer(`${hub.origin}/events?topic=a`)
    await vi.waitFor(() => expect(a.status.value).toBe('open'), wait)
    const secret = consumer(`${hub.origin}/events?topic=secret`)
    await vi.waitFor(() => expect(secret.status.value).toBe('closed'), wait)
    expect(secret.history.value.map(entry => entry.reason)).toContain('forbidden')
    await vi.waitFor(() => expect(a.status.value).toBe('open'), wait)
    await vi.waitFor(() => expect(hub.open.size).toBe(1), wait)
    const id = hub.publish('a')
    await vi.waitFor(() => expect(received(a)).toEqual([`a-${id}`]), wait)
    expect(a.history.value.map(entry => entry.reason)).not.toContain('forbidden')
  })
})
