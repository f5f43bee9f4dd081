import type { NotifyStats } from '#shared/types/notify'
import { afterAll, describe, expect, it } from 'vitest'
import { startInstance, startRedis } from '../support/processes'
import { TOKEN } from '../support/server'
import { eventually, openSse } from '../support/sse'
import { ACCESS_ENV, subscriberToken } from '../support/tokens'

const app = await startInstance({ ...ACCESS_ENV, NUXT_NOTIFY_PUBLISH_TOKEN: TOKEN, NUXT_NOTIFY_DEMO_PUBLISHER: 'false', NUXT_NOTIFY_HEARTBEAT_MS: '60000' })
afterAll(() => app.stop())

const publicStats = async () => {
  const text = await (await fetch(`${app.url}/api/notify/stats`)).text()
  return { text, stats: JSON.parse(text) as NotifyStats }
}

/** The `reset` a client of `topic` gets for a Last-Event-ID older than anything kept: its event's id and data. */
async function resetOf(topic: string): Promise<{ id: string, data: string }> {
  const stream = await openSse(`${app.url}/api/notify/events?topic=${topic}`, { 'last-event-id': '1-0' })
  try {
    await stream.until(s => s.events.length > 0, 5000)
    expect(stream.events[0]!.event).toBe('reset')
    return { id: stream.events[0]!.id!, data: stream.events[0]!.data }
  }
  finally {
    stream.close()
  }
}

describe('public figures say nothing of private topics', () => {
  it('public stats count public topics only: a private publish moves no public figure', async () => {
    await app.publish({ topic: 'broadcast', data: 'public' })
    const before = await publicStats()
    const secret = await app.publish({ topic: 'user:alice', data: 'private' })
    const after = await publicStats()
    expect(after.stats.published).toBe(before.stats.published)
    expect(after.stats.history).toBeUndefined()
    expect({ ...after.stats, uptimeSeconds: 0 }).toEqual({ ...before.stats, uptimeSeconds: 0 })
    expect(after.text).not.toContain(secret.id)
    await app.publish({ topic: 'broadcast', data: 'public again' })
    expect((await publicStats()).stats.published).toBe(before.stats.published + 1)
    // The operator still sees every topic's.
    const operator = await app.stats()
    expect(operator.history?.newestId).toBeDefined()
    expect(operator.published).toBeGreaterThan(before.stats.published + 1)
  })

  it('a reset names only what its subscriber may know: not the newest id of a private topic', async () => {
    const quiet = await app.publish({ topic: 'quiet', data: 'the last public one' })
    const first = await resetOf('quiet')
    expect(first.id).toBe(quiet.id)
    const secrets = [await app.publish({ topic: 'user:alice', data: 1 }), await app.publish({ topic: 'user:alice', data: 2 })]
    const second = await resetOf('quiet')
    expect(second).toEqual(first)
    for (const secret of secrets) expect(JSON.stringify(second)).not.toContain(secret.id)
    // A topic with no event at all names no one's either.
    const empty = await resetOf('never-published')
    for (const secret of secrets) expect(JSON.stringify(empty)).not.toContain(secret.id)
  })

  it('on Redis, neither the public stats nor /api/health count what a private topic\'s subscriber took from Redis', async () => {
    const redis = await startRedis()
    const onRedis = await startInstance({ ...ACCESS_ENV, NUXT_NOTIFY_PUBLISH_TOKEN: TOKEN, NUXT_NOTIFY_DEMO_PUBLISHER: 'false', NUXT_NOTIFY_REDIS_URL: redis.url })
    try {
      const figures = async () => Promise.all(['/api/notify/stats', '/api/health'].map(async path => JSON.parse(await (await fetch(`${onRedis.url}${path}`)).text()) as { uptimeSeconds?: number }))
      const stream = await openSse(`${onRedis.url}/api/notify/events?topic=user:bob`, { authorization: `Bearer ${await subscriberToken(['user:bob'])}` })
      await stream.until(s => s.retries.length > 0)
      // Its bus settled first (its link to the topic's Redis synced): `connected` is a public figure too.
      const before = await eventually(figures, ([stats, health]) => JSON.stringify([stats, health]).includes('"connected":true') && !JSON.stringify([stats, health]).includes('"connected":false'))
      const secret = await onRedis.publish({ topic: 'user:bob', data: 'private' })
      await stream.until(s => s.events.some(event => event.id === secret.id))
      // The operator sees it taken from Redis; the public figures are the same as before.
      await eventually(() => onRedis.stats(), stats => (stats.bus.received ?? 0) > 0)
      const after = await figures()
      const still = (list: Array<{ uptimeSeconds?: number }>) => list.map(figure => ({ ...figure, uptimeSeconds: 0 }))
      expect(still(after)).toEqual(still(before))
      expect(JSON.stringify(after)).not.toContain(secret.id)
      stream.close()
    }
    finally {
      await onRedis.stop()
      await redis.dispose()
    }
  })
})
