import { fetch } from '@nuxt/test-utils/e2e'
import { describe, expect, it } from 'vitest'
import { ADMIN_STATS_TOPIC } from '#shared/utils/admin-stats'
import { type Scrape, scrape } from '../support/metrics'
import { setupServer } from '../support/server'
import { ACCESS_ENV, subscriberToken } from '../support/tokens'
import { eventually, openSse } from '../support/sse'

// A private topic: its name must not show up in any label, whatever the metrics count about it.
const PRIVATE = 'secret-room-7f3a'
const MAX_STREAMS = 6
const { publish } = await setupServer({ ...ACCESS_ENV, NUXT_NOTIFY_PRIVATE_TOPICS: `${PRIVATE},admin:*`, NUXT_NOTIFY_MAX_STREAMS: String(MAX_STREAMS), NUXT_NOTIFY_HEARTBEAT_MS: '60000' })

/** Scrapes until `predicate` holds: the registry counts what the server did, which may lag a request by a tick. */
const scrapeUntil = (predicate: (s: Scrape) => boolean) => eventually(() => scrape(), predicate)

describe('GET /api/notify/metrics', () => {
  it('answers 401 with a JSON body and WWW-Authenticate without the admin token, or with a wrong one', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: 'Basic dGVzdA==' }] as Record<string, string>[]) {
      const response = await fetch('/api/notify/metrics', { headers })
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/)
      const body = await response.json()
      expect(body).toMatchObject({ statusCode: 401, statusMessage: 'Unauthorized' })
      expect(body.message).toMatch(/token/)
      expect(JSON.stringify(body)).not.toMatch(/at .*\.(m?js|ts):\d+/)
    }
  })

  it('is the Prometheus text format, with every notify series typed and the process defaults', async () => {
    const response = await fetch('/api/notify/metrics', { headers: { authorization: 'Bearer test-token-0123456789' } })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const metrics = await scrape()
    const types = Object.fromEntries(metrics.families.map(family => [family.name, family.type]))
    expect(types).toMatchObject({
      notify_streams_open: 'GAUGE',
      notify_events_published_total: 'COUNTER',
      notify_frames_delivered_total: 'COUNTER',
      notify_replays_total: 'COUNTER',
      notify_stream_refusals_total: 'COUNTER',
      notify_slow_consumers_total: 'COUNTER',
      notify_publish_duration_seconds: 'HISTOGRAM',
      notify_bus_connected: 'GAUGE',
      process_resident_memory_bytes: 'GAUGE',
      nodejs_eventloop_lag_seconds: 'GAUGE',
    })
    expect(metrics.value('process_resident_memory_bytes')).toBeGreaterThan(10 * 1024 * 1024)
    expect(metrics.value('notify_bus_connected', { bus: 'memory' })).toBe(1)
    // Closed label sets: every reason and result has a series from the start, 0 included.
    expect(metrics.family('notify_stream_refusals_total').metrics.map(m => m.labels?.reason).sort()).toEqual(['401', '403', 'caps', 'shutdown'])
    expect(metrics.family('notify_replays_total').metrics.map(m => m.labels?.result).sort()).toEqual(['replayed', 'reset'])
    expect(metrics.family('notify_streams_open').metrics.map(m => m.labels?.route).sort()).toEqual(['broadcast', 'counting'])
  })

  it('moves with real traffic: streams, publishes, deliveries, publish latency, replays, refusals', async () => {
    const before = await scrape()
    const grant = { authorization: `Bearer ${await subscriberToken([PRIVATE])}` }
    const subscribers = await Promise.all([1, 2].map(() => openSse(`/api/notify/events?topic=${PRIVATE}`, grant)))
    const counting = await openSse('/api/notify/stream?count=100&interval=1000')
    let now = await scrapeUntil(s => s.value('notify_streams_open', { route: 'broadcast' }) === before.value('notify_streams_open', { route: 'broadcast' }) + 2)
    expect(now.value('notify_streams_open', { route: 'counting' })).toBe(before.value('notify_streams_open', { route: 'counting' }) + 1)

    const ids: string[] = []
    for (let i = 0; i < 3; i++) ids.push((await publish({ topic: PRIVATE, data: { i } })).id)
    for (const subscriber of subscribers) await subscriber.until(s => s.events.length === 3)
    now = await scrape()
    expect(now.value('notify_events_published_total', { bus: 'memory' }) - before.value('notify_events_published_total', { bus: 'memory' })).toBe(3)
    expect(now.value('notify_frames_delivered_total') - before.value('notify_frames_delivered_total')).toBe(6)
    const latency = now.family('notify_publish_duration_seconds').metrics[0]!
    const latencyBefore = before.family('notify_publish_duration_seconds').metrics[0]!
    expect(Number(latency.count) - Number(latencyBefore.count)).toBe(3)
    expect(Number(latency.sum)).toBeGreaterThan(Number(latencyBefore.sum))
    expect(Number(latency.buckets!['+Inf'])).toBe(Number(latency.count))

    // A reconnect that history can serve, and one it can't.
    const resumed = await openSse(`/api/notify/events?topic=${PRIVATE}`, { ...grant, 'last-event-id': ids[0]! })
    await resumed.until(s => s.events.length === 2)
    const lost = await openSse(`/api/notify/events?topic=${PRIVATE}`, { ...grant, 'last-event-id': '1-1' })
    await lost.until(s => s.events.some(event => event.event === 'reset'))
    now = await scrape()
    expect(now.value('notify_replays_total', { result: 'replayed' }) - before.value('notify_replays_total', { result: 'replayed' })).toBe(1)
    expect(now.value('notify_replays_total', { result: 'reset' }) - before.value('notify_replays_total', { result: 'reset' })).toBe(1)

    // Up to the process cap, then one more: refused for the caps, open streams untouched.
    const open = now.value('notify_streams_open', { route: 'broadcast' }) + now.value('notify_streams_open', { route: 'counting' })
    const fillers = await Promise.all(Array.from({ length: MAX_STREAMS - open }, () => openSse('/api/notify/events?topic=filler')))
    const refused = await fetch('/api/notify/events?topic=filler')
    expect(refused.status).toBe(503)
    // Private topics without credentials (the admin stats topic without the admin token): 401;
    // with a token that grants another topic: 403. Both counted, before any stream is opened.
    expect((await fetch(`/api/notify/events?topic=${encodeURIComponent(ADMIN_STATS_TOPIC)}`)).status).toBe(401)
    expect((await fetch(`/api/notify/events?topic=${PRIVATE}`)).status).toBe(401)
    const other = { authorization: `Bearer ${await subscriberToken(['elsewhere'])}` }
    expect((await fetch(`/api/notify/events?topic=${PRIVATE}`, { headers: other })).status).toBe(403)
    now = await scrape()
    expect(now.value('notify_stream_refusals_total', { reason: 'caps' }) - before.value('notify_stream_refusals_total', { reason: 'caps' })).toBe(1)
    expect(now.value('notify_stream_refusals_total', { reason: '401' }) - before.value('notify_stream_refusals_total', { reason: '401' })).toBe(2)
    expect(now.value('notify_stream_refusals_total', { reason: '403' }) - before.value('notify_stream_refusals_total', { reason: '403' })).toBe(1)
    expect(now.value('notify_stream_refusals_total', { reason: 'shutdown' })).toBe(0)

    for (const stream of [...subscribers, counting, resumed, lost, ...fillers]) stream.close()
    now = await scrapeUntil(s => s.value('notify_streams_open', { route: 'broadcast' }) === 0 && s.value('notify_streams_open', { route: 'counting' }) === 0)

    // Whatever was counted about it, no label names the private topic (nor any topic).
    const labels = now.labelValues()
    expect(labels.length).toBeGreaterThan(10)
    for (const topic of [PRIVATE, 'filler', ADMIN_STATS_TOPIC]) expect(labels.filter(value => value.includes(topic))).toEqual([])
    expect(now.families.map(family => family.name).filter(name => name.includes(PRIVATE))).toEqual([])
  })
})
