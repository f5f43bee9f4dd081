import { fetch } from '@nuxt/test-utils/e2e'
import { describe, expect, it } from 'vitest'
import { ADMIN_STATS_TOPIC } from '#shared/utils/admin-stats'
import { scrape } from '../support/metrics'
import { TOKEN, setupServer } from '../support/server'
import { openSse } from '../support/sse'

const METRICS_TOKEN = 'metrics-token-9876543210'
await setupServer({ NUXT_NOTIFY_METRICS_TOKEN: METRICS_TOKEN })

const adminStats = `/api/notify/events?topic=${encodeURIComponent(ADMIN_STATS_TOPIC)}`
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

describe('NUXT_NOTIFY_METRICS_TOKEN', () => {
  it('is the admin token once set: the metrics answer it, and no longer the publish token', async () => {
    expect((await scrape(METRICS_TOKEN)).value('notify_bus_connected', { bus: 'memory' })).toBe(1)
    const withPublishToken = await fetch('/api/notify/metrics', { headers: { authorization: `Bearer ${TOKEN}` } })
    expect(withPublishToken.status).toBe(401)
    expect((await withPublishToken.json()).message).toBe('The operator token is wrong.')
  })
})

describe('one operator credential: this token, from the Authorization header only', () => {
  it('opens every operator view: the metrics, the stats by topic and of the runtime, the admin:stats topic', async () => {
    expect((await fetch('/api/notify/metrics', { headers: bearer(METRICS_TOKEN) })).status).toBe(200)
    const stats = await (await fetch('/api/notify/stats?runtime=1', { headers: bearer(METRICS_TOKEN) })).json()
    expect(stats.connections.byTopic).toBeDefined()
    expect(stats.runtime).toBeDefined()
    const stream = await openSse(adminStats, bearer(METRICS_TOKEN))
    expect(stream.response.status).toBe(200)
    stream.close()
  })

  it('the publish token is then not the operator\'s (it still publishes), nor is the operator\'s a publisher\'s', async () => {
    expect((await fetch('/api/notify/stats?runtime=1', { headers: bearer(TOKEN) })).status).toBe(401)
    expect((await (await fetch('/api/notify/stats', { headers: bearer(TOKEN) })).json()).connections.byTopic).toBeUndefined()
    expect((await fetch(adminStats, { headers: { accept: 'text/event-stream', ...bearer(TOKEN) } })).status).toBe(401)
    const post = (token: string) => fetch('/api/notify/publish', { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json' }, body: '{"data":1}' })
    expect((await post(TOKEN)).status).toBe(200)
    expect((await post(METRICS_TOKEN)).status).toBe(401)
  })

  it('is refused from ?access_token= and from the notify_token cookie (they end up in logs, or go with any page)', async () => {
    for (const [where, path, init] of [
      ['metrics, query', `/api/notify/metrics?access_token=${METRICS_TOKEN}`, {}],
      ['metrics, cookie', '/api/notify/metrics', { headers: { cookie: `notify_token=${METRICS_TOKEN}` } }],
      ['runtime stats, query', `/api/notify/stats?runtime=1&access_token=${METRICS_TOKEN}`, {}],
      ['admin:stats, query', `${adminStats}&access_token=${METRICS_TOKEN}`, { headers: { accept: 'text/event-stream' } }],
      ['admin:stats, cookie', adminStats, { headers: { accept: 'text/event-stream', cookie: `notify_token=${METRICS_TOKEN}` } }],
    ] as Array<[string, string, RequestInit]>) {
      const response = await fetch(path, init)
      expect(response.status, where).toBe(401)
      expect(await response.text(), where).not.toContain(METRICS_TOKEN)
    }
    const stats = await (await fetch(`/api/notify/stats?access_token=${METRICS_TOKEN}`)).json()
    expect(stats.connections.byTopic).toBeUndefined()
  })
})
