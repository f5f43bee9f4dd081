import { describe, expect, it } from 'vitest'
import type { PresenceResult } from '#shared/types/notify'
import { TOKEN, setupServer } from '../support/server'
import { signIn } from '../support/session'
import { eventually, openSse } from '../support/sse'
import { ACCESS_ENV } from '../support/tokens'

// One process on the memory bus: presence is the hub's own count.
const server = await setupServer(ACCESS_ENV)

const presence = async (topic: string) => {
  const response = await fetch(`${server.url}/api/notify/presence?topic=${topic}`, { headers: { authorization: `Bearer ${TOKEN}` } })
  expect(response.status).toBe(200)
  return response.json() as Promise<PresenceResult>
}

describe('presence in one process', () => {
  it('says whether Alice has a stream open on her own topic, and how many', async () => {
    expect(await presence('user:alice')).toEqual({ topic: 'user:alice', online: false, streams: 0 })
    const cookie = await signIn(server.url, 'alice')
    const streams = [await openSse(`${server.url}/api/notify/events?topic=user:alice`, { cookie }), await openSse(`${server.url}/api/notify/events?topic=user:alice&topic=broadcast`, { cookie })]
    await eventually(() => presence('user:alice'), result => result.streams === 2)
    expect(await presence('user:alice')).toEqual({ topic: 'user:alice', online: true, streams: 2 })
    for (const stream of streams) stream.close()
    await eventually(() => presence('user:alice'), result => result.streams === 0)
  })

  it('counts a shared topic\'s streams', async () => {
    const stream = await openSse(`${server.url}/api/notify/events?topic=room:x`)
    await eventually(() => presence('room:x'), result => result.streams === 1)
    expect(await presence('room:x')).toEqual({ topic: 'room:x', streams: 1 })
    stream.close()
  })

  it('tells nothing without a token', async () => {
    const response = await fetch(`${server.url}/api/notify/presence?topic=user:alice`)
    expect(response.status).toBe(401)
    expect(await response.text()).not.toMatch(/online|streams/)
  })
})
