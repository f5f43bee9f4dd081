/**
 * useEventStream against an SSE server that is not ours: a plain `node:http` feed that names its
 * topics `channels` (one comma-separated value), its cursor `since` (or the Last-Event-ID header),
 * its payloads' topic `channel`, its end `bye` and its heartbeat `ping`. Nothing but options tells
 * the composable so. Several composables in one process stand for several tabs (Node has the Web
 * Locks and BroadcastChannel a browser has).
 */
import type { ServerResponse } from 'node:http'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { useEventStream } from '../../../composables/useEventStream'
import type { UseEventStreamOptions } from '../../../composables/useEventStream'
import { startEventStream, startTestServer } from '../../support/sse-test-server'

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

interface Item { id: number, channel: string, n: number }
interface FeedPayload { channel?: string, n?: number, note?: string }

/**
 * The other server: `GET /feed?channels=a,b&since=7`, integer ids across channels, a replay of the
 * asked channels after `since` (or Last-Event-ID), a `ping` every 100 ms, `bye` at the end.
 */
async function feedServer() {
  const log: Item[] = []
  const open = new Map<ServerResponse, Set<string>>()
  const frame = (item: Item) => `id: ${item.id}\ndata: ${JSON.stringify({ channel: item.channel, n: item.n })}\n\n`
  const started = await startTestServer((request, response, seen) => {
    if (seen.url.pathname !== '/feed') return void response.writeHead(404).end()
    const channels = new Set((seen.url.searchParams.get('channels') ?? '').split(',').filter(Boolean))
    const since = seen.url.searchParams.get('since') ?? seen.lastEventId
    startEventStream(response)
    if (since !== undefined) for (const item of log) if (item.id > Number(since) && channels.has(item.channel)) response.write(frame(item))
    const ping = setInterval(() => response.write('event: ping\ndata: {}\n\n'), 100)
    open.set(response, channels)
    response.on('close', () => {
      clearInterval(ping)
      open.delete(response)
    })
  })
  cleanups.push(started.close)
  return {
    ...started,
    open,
    /** Each stream request's channels and cursor, in order: `a,b@7`. */
    asked: () => started.requests.map(seen => `${seen.url.searchParams.get('channels')}@${seen.url.searchParams.get('since') ?? seen.lastEventId ?? ''}`),
    publish(channel: string): number {
      const item = { id: log.length + 1, channel, n: log.length + 1 }
      log.push(item)
      for (const [response, channels] of open) if (channels.has(channel)) response.write(frame(item))
      return item.id
    },
    /** A message without a channel: a control event every consumer gets. */
    note(text: string) {
      for (const response of open.keys()) response.write(`event: note\ndata: ${JSON.stringify({ note: text })}\n\n`)
    },
    /** Cuts every open stream without a clean end, as a dropped connection. */
    drop() {
      for (const response of open.keys()) response.destroy()
    },
    /** Ends every open stream for good. */
    bye() {
      for (const response of open.keys()) response.end('event: bye\ndata: {}\n\n')
    },
  }
}

/** The other server's protocol, as options. */
const STALL_BEAT_MS = 400

const FEED: UseEventStreamOptions<Record<string, FeedPayload>> = {
  transport: 'fetch',
  topicParam: 'channels',
  topicSeparator: ',',
  topicField: 'channel',
  cursorParam: 'since',
  heartbeatParam: false,
  doneEvent: 'bye',
  heartbeatEvent: 'ping',
  // Stalled after 2.5 beats without a byte: 1 s, far above a loaded machine's pauses (at 100 ms a busy
  // test run took a paused stream for a stalled one and connected twice). The feed pings every 100 ms.
  heartbeat: STALL_BEAT_MS,
  events: ['note'],
  reconnect: { delay: 50, maxDelay: 100 },
}

function consumer(url: string, options: UseEventStreamOptions<Record<string, FeedPayload>> = {}) {
  const scope = effectScope()
  const stream = scope.run(() => useEventStream<{ message: FeedPayload, note: FeedPayload }>(url, { ...FEED, ...options }))!
  const stop = () => scope.stop()
  cleanups.push(stop)
  return { ...stream, stop }
}

const received = (c: ReturnType<typeof consumer>) => c.history.value.flatMap((entry) => {
  if (entry.kind !== 'message' && entry.kind !== 'event') return []
  const data = entry.data as FeedPayload
  return [data.note ? `note:${data.note}` : `${data.channel}-${data.n}`]
})
const wait = { timeout: 5000, interval: 10 }

describe('another SSE server, by options alone', () => {
  it('joins two tabs\' channels into one `channels=a,b` stream; each keeps its own channel; a control event reaches both', async () => {
    const feed = await feedServer()
    // A cursor to resume from: the first leader waits for the other tab (one connect).
    const cursor = String(feed.publish('z'))
    const seed = { events: [], lastEventId: cursor }
    const a = consumer(`${feed.origin}/feed?channels=a`, { seed })
    const b = consumer(`${feed.origin}/feed?channels=b`, { seed })
    await vi.waitFor(() => expect([a, b].map(c => c.status.value)).toEqual(['open', 'open']), wait)
    expect(feed.asked()).toEqual([`a,b@${cursor}`])
    expect([a, b].filter(c => c.leader.value)).toHaveLength(1)
    const ids = ['a', 'b', 'a'].map(channel => `${channel}-${feed.publish(channel)}`)
    feed.note('maintenance')
    await vi.waitFor(() => expect(received(a)).toEqual([ids[0], ids[2], 'note:maintenance']), wait)
    await vi.waitFor(() => expect(received(b)).toEqual([ids[1], 'note:maintenance']), wait)
    expect(feed.open.size).toBe(1)
    // Its `ping`s are heartbeats: never recorded, and they keep the quiet stream from being taken for
    // stalled for longer than the stall timer's 2.5 beats.
    await new Promise(resolve => setTimeout(resolve, 3 * STALL_BEAT_MS))
    expect([a, b].map(c => c.status.value)).toEqual(['open', 'open'])
    expect(feed.requests).toHaveLength(1)
  })

  it('resumes after a drop with `since=<last id>`: nothing lost, nothing twice; `bye` ends it', async () => {
    const feed = await feedServer()
    const s = consumer(`${feed.origin}/feed?channels=a,b`, { shared: false })
    await vi.waitFor(() => expect(s.status.value).toBe('open'), wait)
    const before = ['a', 'b'].map(channel => `${channel}-${feed.publish(channel)}`)
    await vi.waitFor(() => expect(received(s)).toEqual(before), wait)
    feed.drop()
    // Published while nobody listens: the replay after the cursor brings them.
    const during = ['b', 'c', 'a'].map(channel => `${channel}-${feed.publish(channel)}`)
    await vi.waitFor(() => expect(s.status.value).toBe('open'), wait)
    await vi.waitFor(() => expect(received(s)).toEqual([...before, during[0], during[2]]), wait)
    expect(feed.asked()).toEqual(['a,b@', 'a,b@2'])
    feed.bye()
    await vi.waitFor(() => expect(s.status.value).toBe('closed'), wait)
    expect(s.history.value.at(-1)).toMatchObject({ kind: 'close', reason: 'done' })
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(feed.requests).toHaveLength(2)
  })

  it('sends the cursor as Last-Event-ID instead, when the server reads no query cursor', async () => {
    const feed = await feedServer()
    const s = consumer(`${feed.origin}/feed?channels=a`, { shared: false, cursorParam: false, lastEventIdHeader: true })
    await vi.waitFor(() => expect(s.status.value).toBe('open'), wait)
    const first = `a-${feed.publish('a')}`
    await vi.waitFor(() => expect(received(s)).toEqual([first]), wait)
    feed.drop()
    const missed = `a-${feed.publish('a')}`
    await vi.waitFor(() => expect(received(s)).toEqual([first, missed]), wait)
    expect(feed.requests.map(seen => [seen.url.search, seen.lastEventId])).toEqual([['?channels=a', undefined], ['?channels=a', '1']])
  })

  it('hands the shared stream over when the leader\'s tab goes: the other resumes from its last id, nothing lost or doubled', async () => {
    const feed = await feedServer()
    const cursor = String(feed.publish('z'))
    const seed = { events: [], lastEventId: cursor }
    const tabs = [consumer(`${feed.origin}/feed?channels=a`, { seed }), consumer(`${feed.origin}/feed?channels=a,b`, { seed })]
    await vi.waitFor(() => expect(tabs.map(c => c.status.value)).toEqual(['open', 'open']), wait)
    const before = ['a', 'b'].map(channel => `${channel}-${feed.publish(channel)}`)
    await vi.waitFor(() => expect(received(tabs[1]!)).toEqual(before), wait)
    const leaving = tabs.find(c => c.leader.value)!
    const staying = tabs.find(c => c !== leaving)!
    const stayingChannels = staying === tabs[0] ? ['a'] : ['a', 'b']
    leaving.stop()
    // Published while the leader changes.
    const during = ['b', 'a', 'b'].map(channel => `${channel}-${feed.publish(channel)}`)
    await vi.waitFor(() => expect(staying.leader.value).toBe(true), wait)
    const mine = (ids: string[]) => ids.filter(id => stayingChannels.includes(id.split('-')[0]!))
    await vi.waitFor(() => expect(received(staying)).toEqual(mine([...before, ...during])), wait)
    await vi.waitFor(() => expect(feed.open.size).toBe(1), wait)
    // The next leader asked for its own channels from the last id the old leader relayed.
    expect(feed.asked().at(-1)).toBe(`${stayingChannels.join(',')}@${before.length + 1}`)
    const after = `a-${feed.publish('a')}`
    await vi.waitFor(() => expect(received(staying)).toEqual(mine([...before, ...during, after])), wait)
  })
})
