import { fetch } from '@nuxt/test-utils/e2e'
import { describe, expect, it } from 'vitest'
import { setupServer } from '../support/server'

// No token configured: publishing must be refused, and say how to turn it on.
await setupServer({ NUXT_NOTIFY_PUBLISH_TOKEN: '' })

describe('publishing without a configured token', () => {
  it('answers 503 with a message naming NUXT_NOTIFY_PUBLISH_TOKEN, whatever token is sent', async () => {
    for (const authorization of ['', 'Bearer ', 'Bearer anything']) {
      const response = await fetch('/api/notify/publish', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: '{"data":1}',
      })
      expect(response.status).toBe(503)
      expect((await response.json()).message).toContain('NUXT_NOTIFY_PUBLISH_TOKEN')
    }
  })
})
