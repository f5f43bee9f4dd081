import webpush from 'web-push'
import { afterAll, describe, expect, it } from 'vitest'
import type { PresenceResult } from '#shared/types/notify'
import { type AppInstance, startInstance } from './processes'
import { TOKEN } from './instance'
import { startPushService } from './push-service'
import { signIn } from './session'
import { eventually, openSse } from './sse'
import { ACCESS_ENV, publisherToken, subscriberToken } from './tokens'

/** Short, so "within 2 heartbeats" is measured in a test's time. */
const HEARTBEAT_MS = 500

/**
 * Presence across two instances on a Redis backend (one Redis or a cluster): a stream on A is seen
 * from B, refreshed while A lives, gone within 2 heartbeats once A is killed without a goodbye.
 */
export async function presenceSuite(name: string, backendEnv: Record<string, string>) {
  // Push on, to the tests' own push service: a publish on A is pushed only while no instance holds a stream.
  const vapid = webpush.generateVAPIDKeys()
  const pushService = await startPushService(vapid.publicKey)
  const env = {
    NUXT_NOTIFY_VAPID_PUBLIC_KEY: vapid.publicKey,
    NUXT_NOTIFY_VAPID_PRIVATE_KEY: vapid.privateKey,
    NUXT_NOTIFY_VAPID_SUBJECT: 'mailto:ops@example.com',
    NUXT_NOTIFY_PUSH_ALLOW_HOSTS: '127.0.0.1',
    NODE_EXTRA_CA_CERTS: pushService.certFile,
    ...backendEnv,
    ...ACCESS_ENV,
    NUXT_NOTIFY_PUBLISH_TOKEN: TOKEN,
    NUXT_NOTIFY_DEMO_PUBLISHER: 'false',
    NUXT_NOTIFY_HEARTBEAT_MS: String(HEARTBEAT_MS),
  }
  const [a, b] = await Promise.all([startInstance(env), startInstance(env)])
  afterAll(async () => {
    await Promise.all([a.stop(), b.stop()])
    await pushService.close()
  })

  const ask = (instance: AppInstance, topic: string, bearer = TOKEN) => fetch(`${instance.url}/api/notify/presence?topic=${encodeURIComponent(topic)}`, { headers: { authorization: `Bearer ${bearer}` } })
  const presence = async (instance: AppInstance, topic: string) => {
    const response = await ask(instance, topic)
    if (response.status !== 200) throw new Error(`presence answered ${response.status}: ${await response.text()}`)
    return response.json() as Promise<PresenceResult>
  }

  async function aliceOnA() {
    const cookie = await signIn(a.url, 'alice')
    const stream = await openSse(`${a.url}/api/notify/events?topic=user:alice`, { cookie })
    expect(stream.response.status).toBe(200)
    return stream
  }

  describe(`presence on ${name}, two instances`, () => {
    it('sees Alice\'s stream on A from B, and her leaving', async () => {
      expect(await presence(b, 'user:alice')).toEqual({ topic: 'user:alice', online: false, streams: 0 })
      const stream = await aliceOnA()
      await eventually(() => presence(b, 'user:alice'), result => 'online' in result && result.online && result.streams === 1)
      expect(await presence(a, 'user:alice')).toEqual({ topic: 'user:alice', online: true, streams: 1 })
      stream.close()
      // The goodbye is written when the stream ends, well before her entry would expire.
      await eventually(() => presence(b, 'user:alice'), result => result.streams === 0, HEARTBEAT_MS)
    })

    it('counts the streams of a shared topic over both instances', async () => {
      const streams = await Promise.all([a, a, b].map(instance => openSse(`${instance.url}/api/notify/events?topic=room:x`)))
      await eventually(() => presence(b, 'room:x'), result => result.streams === 3)
      expect(await presence(a, 'room:x')).toEqual({ topic: 'room:x', streams: 3 })
      for (const stream of streams) stream.close()
      await eventually(() => presence(a, 'room:x'), result => result.streams === 0)
    })

    it('answers a publisher allowed on the topic, and no one else', async () => {
      expect((await ask(b, 'user:alice', await publisherToken(['user:*']))).status).toBe(200)
      expect((await ask(b, 'user:alice', await publisherToken(['user:alice']))).status).toBe(200)
      const refusals = [
        ['no token', await fetch(`${b.url}/api/notify/presence?topic=user:alice`), 401],
        ['a wrong token', await ask(b, 'user:alice', 'wrong-token'), 401],
        ['another user\'s publisher token', await ask(b, 'user:alice', await publisherToken(['user:bob'])), 403],
        ['a subscriber token for the topic', await ask(b, 'user:alice', await subscriberToken(['user:alice'])), 403],
      ] as const
      for (const [what, response, status] of refusals) {
        const body = await response.text()
        expect({ what, status: response.status }).toEqual({ what, status })
        expect(body).not.toMatch(/online|streams/)
      }
      const bad = await ask(b, 'a topic with spaces')
      expect(bad.status).toBe(400)
      expect((await bad.json()).data).toEqual({ parameter: 'topic' })
      expect((await fetch(`${b.url}/api/notify/presence`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(400)
    })

    it('pushes a publish on A to Alice\'s device only while no instance holds her stream (hers is on B)', async () => {
      const cookie = await signIn(a.url, 'alice')
      const device = pushService.device('alice-phone')
      const stored = await fetch(`${a.url}/api/push/subscriptions`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(device.subscription) })
      expect(stored.status).toBe(201)
      const onB = await openSse(`${b.url}/api/notify/events?topic=user:alice`, { cookie: await signIn(b.url, 'alice') })
      await eventually(() => presence(a, 'user:alice'), result => result.streams === 1)
      const whileOnB = await a.publish({ topic: 'user:alice', data: { text: 'on B' } })
      await onB.until(reader => reader.events.some(event => event.id === whileOnB.id))
      onB.close()
      await eventually(() => presence(a, 'user:alice'), result => result.streams === 0)
      const away = await a.publish({ topic: 'user:alice', data: { text: 'away' } })
      await eventually(async () => pushService.received.length, n => n === 1, 10_000)
      expect(pushService.received.map(push => push.payload.id)).toEqual([away.id])
      expect(pushService.requests).toHaveLength(1)
      expect(pushService.failures).toEqual([])
      await fetch(`${a.url}/api/push/subscriptions`, { method: 'DELETE', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ endpoint: device.subscription.endpoint }) })
    })

    it('counts Alice in A\'s gauge of online users, with no id in its labels', async () => {
      const stream = await aliceOnA()
      const gauge = async () => {
        const text = await (await fetch(`${a.url}/api/notify/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text()
        return text.split('\n').find(line => line.startsWith('notify_users_online'))
      }
      expect(await eventually(gauge, line => line === 'notify_users_online 1')).toBe('notify_users_online 1')
      stream.close()
      await eventually(gauge, line => line === 'notify_users_online 0')
    })

    it('forgets an instance\'s streams as it shuts down cleanly (SIGTERM), not when they would expire', async () => {
      const c = await startInstance(env)
      const stream = await openSse(`${c.url}/api/notify/events?topic=user:carol`, { cookie: await signIn(c.url, 'carol') })
      await eventually(() => presence(b, 'user:carol'), result => result.streams === 1)
      await c.stop()
      // Asked at once: an entry left to expire would still count here for up to 1.5 heartbeats.
      expect(await presence(b, 'user:carol')).toEqual({ topic: 'user:carol', online: false, streams: 0 })
      stream.close()
    })

    it('keeps Alice online while A lives, and offline within 2 heartbeats of a kill -9 of A', async () => {
      const stream = await aliceOnA()
      await eventually(() => presence(b, 'user:alice'), result => result.streams === 1)
      // Three heartbeats: her entry is rewritten, never left to expire while A holds her stream.
      const until = Date.now() + 3 * HEARTBEAT_MS
      while (Date.now() < until) {
        expect(await presence(b, 'user:alice')).toMatchObject({ online: true, streams: 1 })
        await new Promise(resolve => setTimeout(resolve, 100))
      }
      const killedAt = Date.now()
      a.child.kill('SIGKILL')
      await eventually(() => presence(b, 'user:alice'), result => 'online' in result && !result.online, 2 * HEARTBEAT_MS)
      const offlineAfter = Date.now() - killedAt
      expect(offlineAfter).toBeLessThanOrEqual(2 * HEARTBEAT_MS)
      stream.close()
    })
  })
}
