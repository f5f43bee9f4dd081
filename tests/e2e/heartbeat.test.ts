import { describe, expect, it } from 'vitest'
import { setupServer } from '../support/server'
import { openSse } from '../support/sse'

await setupServer({ NUXT_NOTIFY_HEARTBEAT_MS: '150' })

describe('heartbeats', () => {
  it('keep an idle stream alive with comment lines that EventSource clients ignore', async () => {
    const stream = await openSse('/api/notify/events?topic=idle')
    await stream.until(s => s.comments.length >= 3, 3000)
    expect(stream.events).toEqual([])
    expect(stream.raw).toMatch(/^retry: \d+\n\n(:\n\n){3,}/)
    stream.close()
  })
})
