import { describe, expect, it } from 'vitest'
import { fetch } from '@nuxt/test-utils/e2e'
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

  it('come as a named `heartbeat` event with `{}` data when asked with ?heartbeat=event, so EventSource can see them', async () => {
    const stream = await openSse('/api/notify/events?topic=idle&heartbeat=event')
    await stream.until(s => s.events.length >= 3, 3000)
    expect(stream.events.map(event => [event.event, event.data])).toEqual(stream.events.map(() => ['heartbeat', '{}']))
    expect(stream.comments).toEqual([])
    stream.close()
  })

  it('refuse any other heartbeat kind with a 400 that names the parameter', async () => {
    const response = await fetch('/api/notify/events?heartbeat=comment')
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ statusCode: 400, message: expect.stringContaining('"heartbeat"') })
  })
})
