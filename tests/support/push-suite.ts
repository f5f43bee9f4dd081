import webpush from 'web-push'
import { afterAll, describe, expect, it } from 'vitest'
import type { PushSettings } from '#shared/types/push'
import { TOKEN } from './instance'
import { startInstance } from './processes'
import { startPushService } from './push-service'
import { signIn } from './session'
import { eventually, openSse } from './sse'
import { ACCESS_ENV, subscriberToken } from './tokens'

/**
 * The push path end to end: a real server (memory bus, presence in process, its devices in the
 * store's database) pushing with web-push to the tests' own push service over https, which checks
 * VAPID and decrypts every message.
 */
export async function pushSuite(name: string, databaseEnv: Record<string, string> = {}) {
  const vapid = webpush.generateVAPIDKeys()
  const service = await startPushService(vapid.publicKey)
  const server = await startInstance({
    ...databaseEnv,
    ...ACCESS_ENV,
    NUXT_NOTIFY_PUBLISH_TOKEN: TOKEN,
    NUXT_NOTIFY_DEMO_PUBLISHER: 'false',
    NUXT_NOTIFY_VAPID_PUBLIC_KEY: vapid.publicKey,
    NUXT_NOTIFY_VAPID_PRIVATE_KEY: vapid.privateKey,
    NUXT_NOTIFY_VAPID_SUBJECT: 'mailto:ops@example.com',
    NUXT_NOTIFY_PUSH_ALLOW_HOSTS: '127.0.0.1',
    NUXT_NOTIFY_PUSH_TTL_SECONDS: '600',
    NODE_EXTRA_CA_CERTS: service.certFile,
  })
  afterAll(async () => {
    await server.stop()
    await service.close()
  })

  const cookieOf = new Map<string, string>()
  async function cookie(user: string) {
    if (!cookieOf.has(user)) cookieOf.set(user, await signIn(server.url, user))
    return cookieOf.get(user)!
  }
  async function call(user: string, method: string, path: string, body?: unknown) {
    return fetch(`${server.url}${path}`, {
      method,
      headers: { 'cookie': await cookie(user), 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    })
  }
  const settings = async (user: string) => (await (await call(user, 'GET', '/api/push/settings')).json()) as PushSettings
  const pushesTo = (device: string) => service.received.filter(push => push.device === device)

  describe(`Web Push from our own server, devices on ${name}`, () => {
    it('stores a device from the browser\'s PushSubscription JSON, several per user', async () => {
      expect(await settings('alice')).toEqual({ available: true, publicKey: vapid.publicKey, enabled: true, devices: 0 })
      for (const id of ['alice-phone', 'alice-laptop']) {
        const response = await call('alice', 'POST', '/api/push/subscriptions', service.device(id).subscription)
        expect(response.status).toBe(201)
      }
      expect((await settings('alice')).devices).toBe(2)
    })

    it('refuses endpoints that are not https to a public address, and malformed keys, with 400', async () => {
      const { keys } = service.device('probe').subscription
      const refused = [
        'http://push.example.com/x',
        'https://10.0.0.7/push',
        'https://192.168.1.2/push',
        'https://169.254.169.254/latest/meta-data',
        'https://[::1]/push',
        'https://[fe80::1]/push',
        'https://localhost/push',
        'https://user:pass@push.example.com/x',
        'not a url',
      ]
      for (const endpoint of refused) {
        const response = await call('alice', 'POST', '/api/push/subscriptions', { endpoint, expirationTime: null, keys })
        expect({ endpoint, status: response.status }).toEqual({ endpoint, status: 400 })
        expect((await response.json()).data).toEqual({ field: 'endpoint' })
      }
      const endpoint = `${service.origin}/push/probe`
      for (const bad of [{ endpoint }, { endpoint, keys: { p256dh: 'AAAA', auth: keys.auth } }, { endpoint, keys: { p256dh: keys.p256dh, auth: 'short' } }]) {
        expect((await call('alice', 'POST', '/api/push/subscriptions', bad)).status).toBe(400)
      }
      expect((await call('alice', 'POST', '/api/push/subscriptions', 'not json')).status).toBe(400)
      expect((await fetch(`${server.url}/api/push/subscriptions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(service.device('anon').subscription) })).status).toBe(401)
      expect((await settings('alice')).devices).toBe(2)
    })

    it('pushes a notification to every device of a user with no stream open, encrypted and signed', async () => {
      const published = await server.publish({ topic: 'user:alice', data: { text: 'Your parcel is here' } })
      await eventually(async () => pushesTo('alice-phone').length + pushesTo('alice-laptop').length, n => n === 2)
      for (const push of [...pushesTo('alice-phone'), ...pushesTo('alice-laptop')]) {
        expect(push.payload).toEqual({ id: published.id, text: 'Your parcel is here', url: '/inbox' })
        expect(push.ttl).toBe(600)
        expect(push.urgency).toBe('normal')
        expect(push.claims.sub).toBe('mailto:ops@example.com')
      }
      expect(service.failures).toEqual([])
    })

    it('sends no push while Alice has a stream open: she gets it in the page', async () => {
      const before = service.requests.length
      const stream = await openSse(`${server.url}/api/notify/events?topic=user:alice`, { cookie: await cookie('alice') })
      await eventually(() => server.stats().then(stats => stats.connections.byTopic?.['user:alice'] ?? 0), n => n === 1)
      const inPage = await server.publish({ topic: 'user:alice', data: { text: 'seen in the tab' } })
      await stream.until(reader => reader.events.some(event => event.id === inPage.id))
      stream.close()
      await eventually(() => server.stats().then(stats => stats.connections.byTopic?.['user:alice'] ?? 0), n => n === 0)
      // Then one with no tab open: it arrives, and the one before it never did.
      const away = await server.publish({ topic: 'user:alice', data: { text: 'after the tab closed' } })
      await eventually(async () => service.received.filter(push => push.payload.id === away.id).length, n => n === 2)
      expect(service.received.filter(push => push.payload.id === inPage.id)).toEqual([])
      expect(service.requests.length - before).toBe(2)
    })

    it('sends nothing once Alice turns push off, and again once she turns it on', async () => {
      expect((await (await call('alice', 'PUT', '/api/push/settings', { enabled: false })).json()).enabled).toBe(false)
      const muted = await server.publish({ topic: 'user:alice', data: 'muted' })
      expect((await call('alice', 'PUT', '/api/push/settings', { enabled: true })).status).toBe(200)
      const back = await server.publish({ topic: 'user:alice', data: 'back on' })
      await eventually(async () => pushesTo('alice-phone').filter(push => push.payload.id === back.id).length, n => n === 1)
      expect(service.received.filter(push => push.payload.id === muted.id)).toEqual([])
      expect((await call('alice', 'PUT', '/api/push/settings', { enabled: 'no' })).status).toBe(400)
    })

    it('retries a 429 and a 503, and removes a device its push service says is gone (410)', async () => {
      service.answer('alice-phone', 429, 503)
      service.answer('alice-laptop', 410)
      const published = await server.publish({ topic: 'user:alice', data: 'retried' })
      await eventually(async () => pushesTo('alice-phone').filter(push => push.payload.id === published.id).length, n => n === 1, 10_000)
      expect(service.requests.filter(request => request.device === 'alice-phone').slice(-3).map(request => request.status)).toEqual([429, 503, 201])
      await eventually(() => settings('alice'), value => value.devices === 1)
      expect(service.failures).toEqual([])
      // Counted by result, no endpoint or user in a label.
      const metrics = await (await fetch(`${server.url}/api/notify/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text()
      const pushLines = metrics.split('\n').filter(line => line.startsWith('notify_push_messages_total{'))
      expect(pushLines.map(line => line.replace(/ \d+$/, ''))).toEqual(['result="sent"', 'result="gone"', 'result="failed"'].map(label => `notify_push_messages_total{${label}}`))
      expect(pushLines.find(line => line.includes('"gone"'))).toBe('notify_push_messages_total{result="gone"} 1')
    })

    it('answers hostile bodies with a 4xx naming what was wrong, never a 5xx', async () => {
      const { subscription } = service.device('hostile')
      const bodies: unknown[] = [
        '', '{', 'null', '[]', '"x"', '42', '{"endpoint":', JSON.stringify({ __proto__: { endpoint: 1 } }),
        { endpoint: 42 }, { endpoint: null, keys: subscription.keys }, { ...subscription, keys: null }, { ...subscription, keys: [] },
        { ...subscription, keys: { p256dh: 42, auth: subscription.keys.auth } }, { ...subscription, expirationTime: 'soon' },
        { ...subscription, expirationTime: -1 }, { ...subscription, endpoint: `${service.origin}/${'x'.repeat(5000)}` },
        { ...subscription, endpoint: 'https://\u0000evil/' }, { ...subscription, endpoint: 'javascript:alert(1)' },
        { ...subscription, keys: { p256dh: `${subscription.keys.p256dh}==!!`, auth: subscription.keys.auth } },
      ]
      for (const [path, method] of [['/api/push/subscriptions', 'POST'], ['/api/push/subscriptions', 'DELETE'], ['/api/push/settings', 'PUT']] as const) {
        for (const body of bodies) {
          const response = await call('alice', method, path, body)
          const text = await response.text()
          // A DELETE only reads `endpoint`: a body with a good one and bad keys is a fine DELETE.
          const refused = method === 'DELETE' ? response.status < 500 : response.status >= 400 && response.status < 500
          expect({ path, method, body, status: response.status, refused }).toEqual({ path, method, body, status: response.status, refused: true })
          expect(text).not.toMatch(/\bat .+:\d+:\d+/)
        }
      }
      const wrongType = await fetch(`${server.url}/api/push/subscriptions`, { method: 'POST', headers: { 'cookie': await cookie('alice'), 'content-type': 'text/plain' }, body: JSON.stringify(subscription) })
      expect(wrongType.status).toBe(415)
      expect((await settings('alice')).devices).toBe(1)
    })

    it('takes a subscriber token for the user\'s own topic, and forgets a device on DELETE', async () => {
      const token = await subscriberToken(['user:bob'], { sub: 'bob' })
      const headers = { 'authorization': `Bearer ${token}`, 'content-type': 'application/json' }
      const device = service.device('bob-tablet')
      expect((await fetch(`${server.url}/api/push/subscriptions`, { method: 'POST', headers, body: JSON.stringify(device.subscription) })).status).toBe(201)
      const other = await subscriberToken(['user:carol'], { sub: 'bob' })
      expect((await fetch(`${server.url}/api/push/subscriptions`, { method: 'POST', headers: { ...headers, authorization: `Bearer ${other}` }, body: JSON.stringify(device.subscription) })).status).toBe(403)
      const published = await server.publish({ topic: 'user:bob', data: 'hi bob' })
      await eventually(async () => pushesTo('bob-tablet').length, n => n === 1)
      expect(pushesTo('bob-tablet')[0]!.payload.id).toBe(published.id)
      expect((await fetch(`${server.url}/api/push/subscriptions`, { method: 'DELETE', headers, body: JSON.stringify({ endpoint: device.subscription.endpoint }) })).status).toBe(204)
      const settingsResponse = await fetch(`${server.url}/api/push/settings`, { headers })
      expect(((await settingsResponse.json()) as PushSettings).devices).toBe(0)
    })
  })
}
