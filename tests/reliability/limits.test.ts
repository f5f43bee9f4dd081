import { EventSource } from 'eventsource'
import { afterAll, describe, expect, it } from 'vitest'
import { startInstance } from '../support/processes'
import { TOKEN } from '../support/server'
import { eventually, openSse } from '../support/sse'

const app = await startInstance({
  NUXT_NOTIFY_PUBLISH_TOKEN: TOKEN,
  NUXT_NOTIFY_DEMO_PUBLISHER: 'false',
  NUXT_NOTIFY_MAX_STREAMS: '5',
  NUXT_NOTIFY_MAX_STREAMS_PER_IP: '3',
  NUXT_NOTIFY_MAX_LIFETIME_MS: '700',
  NUXT_NOTIFY_RETRY_MS: '100',
  NUXT_NOTIFY_TRUST_PROXY: 'true',
})
afterAll(() => app.stop())

const openStreams = async () => (await app.stats()).connections.total

describe('stream limits', () => {
  it('caps streams per client IP and in all, with 503 and Retry-After, leaving open streams alone', async () => {
    const from = (ip: string) => openSse(`${app.url}/api/notify/events?topic=limits`, { 'x-forwarded-for': ip })
    const first = await Promise.all([1, 2, 3].map(() => from('10.0.0.1')))
    const overIp = await fetch(`${app.url}/api/notify/events?topic=limits`, { headers: { 'x-forwarded-for': '10.0.0.1' } })
    expect(overIp.status).toBe(503)
    expect(overIp.headers.get('retry-after')).toMatch(/^\d+$/)
    expect((await overIp.json()).message).toMatch(/this address/)

    const second = await Promise.all([1, 2].map(() => from('10.0.0.2')))
    const overTotal = await fetch(`${app.url}/api/notify/stream`, { headers: { 'x-forwarded-for': '10.0.0.3' } })
    expect(overTotal.status).toBe(503)
    expect((await overTotal.json()).message).toMatch(/maximum of 5 streams/)

    const { id } = await app.publish({ topic: 'limits', data: 'still here' })
    for (const stream of [...first, ...second]) await stream.until(s => s.events.some(event => event.id === id))
    for (const stream of [...first, ...second]) stream.close()
    await eventually(openStreams, n => n === 0)
  })

  it('ends a stream at its maximum lifetime with a retry hint; an EventSource resumes with nothing lost', async () => {
    const received: string[] = []
    let opens = 0
    const source = new EventSource(`${app.url}/api/notify/events?topic=lifetime`)
    source.onopen = () => opens++
    source.onmessage = event => received.push(event.lastEventId)
    await eventually(async () => opens, n => n === 1)

    const published: string[] = []
    const until = Date.now() + 2500
    while (Date.now() < until) {
      published.push((await app.publish({ topic: 'lifetime', data: published.length })).id)
      await new Promise(resolve => setTimeout(resolve, 25))
    }
    await eventually(async () => received.length, n => n >= published.length, 5000)
    source.close()
    expect(opens).toBeGreaterThanOrEqual(3)
    expect(received).toEqual(published)
  })
})
