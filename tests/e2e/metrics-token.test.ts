import { fetch } from '@nuxt/test-utils/e2e'
import { describe, expect, it } from 'vitest'
import { scrape } from '../support/metrics'
import { TOKEN, setupServer } from '../support/server'

const METRICS_TOKEN = 'metrics-token-9876543210'
await setupServer({ NUXT_NOTIFY_METRICS_TOKEN: METRICS_TOKEN })

describe('NUXT_NOTIFY_METRICS_TOKEN', () => {
  it('is the admin token once set: the metrics answer it, and no longer the publish token', async () => {
    expect((await scrape(METRICS_TOKEN)).value('notify_bus_connected', { bus: 'memory' })).toBe(1)
    const withPublishToken = await fetch('/api/notify/metrics', { headers: { authorization: `Bearer ${TOKEN}` } })
    expect(withPublishToken.status).toBe(401)
    expect((await withPublishToken.json()).message).toBe('The admin token is wrong.')
  })
})
