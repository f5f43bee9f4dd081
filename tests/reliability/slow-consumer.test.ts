import { afterAll, describe, expect, it } from 'vitest'
import type { BroadcastPayload } from '#shared/types/notify'
import { within } from '../support/deadline'
import { startInstance } from '../support/processes'
import { openRawStream } from '../support/raw-http'
import { TOKEN } from '../support/server'
import { eventually, json, openSse } from '../support/sse'

const app = await startInstance({
  NUXT_NOTIFY_PUBLISH_TOKEN: TOKEN,
  NUXT_NOTIFY_DEMO_PUBLISHER: 'false',
  NUXT_NOTIFY_MAX_QUEUED_BYTES: String(256 * 1024),
  NUXT_NOTIFY_HISTORY_SIZE: '2000',
})
afterAll(() => app.stop())

const subscribersOf = async (topic: string) => (await app.stats()).connections.byTopic?.[topic] ?? 0

describe('a subscriber that stops reading', () => {
  it('is cut off once its queue passes the cap, and resumes from history without loss', async () => {
    const slow = await openRawStream(app.url, '/api/notify/events?topic=firehose')
    slow.socket.pause()
    const healthy = await openSse(`${app.url}/api/notify/events?topic=firehose`)
    await eventually(() => subscribersOf('firehose'), n => n === 2)

    // ~18 MB: more than loopback's socket buffers can hide, far more than the 256 KiB cap.
    const published: string[] = []
    for (let i = 0; i < 300; i++) {
      published.push((await app.publish({ topic: 'firehose', data: { i, pad: 'x'.repeat(60_000) } })).id)
    }
    await eventually(() => subscribersOf('firehose'), n => n === 1)
    await healthy.until(s => s.events.length === 300, 20_000)
    healthy.close()

    // What the slow client did get, then a reconnect with the last id it saw.
    slow.socket.resume()
    await within(new Promise(resolve => slow.socket.once('close', resolve)), 20_000, 'the server closing the slow subscriber\'s stream')
    const ids = [...slow.received().matchAll(/^id: (.+)$/gm)].map(match => match[1]!)
    expect(ids.length).toBeLessThan(300)
    expect(ids).toEqual(published.slice(0, ids.length))
    const resumed = await openSse(`${app.url}/api/notify/events?topic=firehose`, ids.length ? { 'last-event-id': ids.at(-1)! } : {})
    await resumed.until(s => s.events.length === 300 - ids.length, 20_000)
    expect(resumed.events.map(event => event.id)).toEqual(published.slice(ids.length))
    expect(json<BroadcastPayload<{ i: number }>>(resumed.events.at(-1)!).data.i).toBe(299)
    resumed.close()
  }, 60_000)
})
