import { describe, expect, it } from 'vitest'
import type { InboxPage } from '#shared/types/inbox'
import type { BroadcastPayload, ResetPayload, SubscriberToken } from '#shared/types/notify'
import { STREAM_EVENTS } from '#shared/utils/notify'
import type { AppInstance } from './processes'
import { runPool } from './raw-http'
import { TOKEN } from './server'
import { signIn } from './session'
import { json, openSse, type SseReader } from './sse'
import { publisherToken, refusedTokens, subscriberToken } from './tokens'

/** The environment the access suite expects its instances to run with (besides the secrets). */
export const ACCESS_SUITE_ENV = {
  NUXT_NOTIFY_PRIVATE_TOPICS: 'user:*, team:*, secret',
  NUXT_NOTIFY_HISTORY_SIZE: '100',
  NUXT_NOTIFY_HEARTBEAT_MS: '60000',
}

interface Refusal {
  status: number
  contentType: string | null
  wwwAuthenticate: string | null
  body: { statusCode?: number, message?: string }
  text: string
}

async function request(url: string, headers: Record<string, string> = {}, init: RequestInit = {}): Promise<Refusal> {
  const response = await fetch(url, { ...init, headers: { accept: 'text/event-stream', ...headers } })
  const text = await response.text()
  let body = {}
  try {
    body = JSON.parse(text)
  }
  catch { /* not JSON: the assertions on body say so */ }
  return { status: response.status, contentType: response.headers.get('content-type'), wwwAuthenticate: response.headers.get('www-authenticate'), body, text }
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const query = (topics: string[]) => topics.map(topic => `topic=${encodeURIComponent(topic)}`).join('&')

/**
 * Every access rule over real HTTP with real JWTs. `publisher` and `subscriber` are the same
 * instance on the memory bus, two instances sharing one Redis otherwise.
 */
export function describeAccess(busName: string, instances: { publisher: AppInstance, subscriber: AppInstance }) {
  const { publisher, subscriber } = instances
  const eventsUrl = (topics: string[], extra = '') => `${subscriber.url}/api/notify/events?${query(topics)}${extra}`
  const publish = (topic: string, data: unknown) => publisher.publish({ topic, data })

  /** Opens an accepted stream and waits for its first frame (it is then subscribed). */
  async function stream(topics: string[], headers: Record<string, string> = {}, extra = ''): Promise<SseReader> {
    const reader = await openSse(eventsUrl(topics, extra), headers)
    expect(reader.response.status, await peek(reader)).toBe(200)
    await reader.until(r => r.retries.length > 0)
    return reader
  }
  const peek = async (reader: SseReader) => (reader.response.status === 200 ? '' : reader.raw)

  const expectRefused = (refusal: Refusal, status: 401 | 403, message: RegExp) => {
    expect(refusal.status, refusal.text).toBe(status)
    expect(refusal.contentType).toMatch(/application\/json/)
    expect(refusal.body.statusCode).toBe(status)
    expect(refusal.body.message).toMatch(message)
    // Nothing partial: no event-stream byte before the refusal.
    expect(refusal.text).not.toMatch(/^(?:retry|id|data|event):/m)
    if (status === 401) expect(refusal.wwwAuthenticate).toMatch(/^Bearer/)
  }

  describe(`private topics (${busName})`, () => {
    it('leaves public topics open to anyone, as before', async () => {
      const reader = await stream(['broadcast', 'secretive', 'teams'])
      const sent = await publish('secretive', 'public after all')
      await reader.until(r => r.events.some(event => event.id === sent.id))
      reader.close()
    })

    it('401 with WWW-Authenticate: Bearer for a private topic without credentials, naming no topic', async () => {
      for (const topics of [['user:alice'], ['broadcast', 'team:red'], ['secret']]) {
        const refusal = await request(eventsUrl(topics))
        expectRefused(refusal, 401, /private.*sign in.*token/i)
        for (const topic of topics) expect(refusal.text).not.toContain(topic)
      }
    })

    it('401 (error="invalid_token") for every kind of bad token, saying why without echoing it', async () => {
      for (const [name, token] of await refusedTokens(['user:alice'])) {
        const refusal = await request(eventsUrl(['user:alice']), bearer(token))
        expectRefused(refusal, 401, /token/i)
        expect(refusal.wwwAuthenticate, name).toContain('error="invalid_token"')
        expect(refusal.text, name).not.toContain(token.slice(0, 40))
        // From the URL too: the error body does not echo the request URL (where ?access_token= is).
        const viaQuery = await request(eventsUrl(['user:alice'], `&access_token=${encodeURIComponent(token)}`))
        expectRefused(viaQuery, 401, /token/i)
        expect(viaQuery.text, name).not.toContain(token.slice(0, 40))
        expect(viaQuery.text, name).not.toContain('access_token')
      }
    })

    it('403 naming the topic the token does not grant; one forbidden topic refuses the whole stream', async () => {
      const token = await subscriberToken(['user:alice'])
      expectRefused(await request(eventsUrl(['user:bob']), bearer(token)), 403, /"user:bob"/)
      const mixed = await request(eventsUrl(['broadcast', 'user:alice', 'user:bob']), bearer(token))
      expectRefused(mixed, 403, /"user:bob"/)
      expect(mixed.text).not.toContain('user:alice')
    })

    it('matches grants as exact names or prefix* patterns', async () => {
      const token = await subscriberToken(['user:a*', 'secret', 'team:*'])
      const granted = await stream(['user:alice', 'user:andy', 'secret', 'team:red', 'broadcast'], bearer(token))
      granted.close()
      for (const topic of ['user:bob', 'user:', 'usera']) {
        if (topic === 'usera') continue // public: not under user:*
        expectRefused(await request(eventsUrl([topic]), bearer(token)), 403, new RegExp(`"${topic}"`))
      }
      const everything = await subscriberToken(['*'])
      ;(await stream(['user:zed', 'secret', 'team:blue'], bearer(everything))).close()
      const exact = await subscriberToken(['user:alice'])
      expectRefused(await request(eventsUrl(['user:alicex']), bearer(exact)), 403, /"user:alicex"/)
    })

    it('reads the token from the header, the notify_token cookie, or ?access_token=, in that order', async () => {
      const good = await subscriberToken(['user:carol'])
      const bad = 'not-a-jwt'
      ;(await stream(['user:carol'], bearer(good))).close()
      ;(await stream(['user:carol'], { cookie: `notify_token=${good}` })).close()
      ;(await stream(['user:carol'], {}, `&access_token=${good}`)).close()
      // The first place that has a token decides: a bad one there is refused, never skipped.
      ;(await stream(['user:carol'], { ...bearer(good), cookie: `notify_token=${bad}` }, `&access_token=${bad}`)).close()
      expectRefused(await request(eventsUrl(['user:carol']), { ...bearer(bad), cookie: `notify_token=${good}` }), 401, /token/)
      ;(await stream(['user:carol'], { cookie: `notify_token=${good}` }, `&access_token=${bad}`)).close()
      expectRefused(await request(eventsUrl(['user:carol'], `&access_token=${good}`), { cookie: `notify_token=${bad}` }), 401, /token/)
    })

    it('lets a signed-in user read their own topic with no token, and no one else\'s', async () => {
      const cookie = await signIn(subscriber.url, 'Dave')
      const own = await stream(['user:dave', 'broadcast'], { cookie })
      const sent = await publish('user:dave', 'for dave')
      await own.until(r => r.events.some(event => event.id === sent.id))
      own.close()
      expectRefused(await request(eventsUrl(['user:erin']), { cookie }), 403, /"user:erin"/)
      // Signing in takes JSON only: a cross-site form can't sign someone in as another (login CSRF).
      const form = await fetch(`${subscriber.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=mallory' })
      expect(form.status).toBe(415)
      expect(form.headers.getSetCookie()).toEqual([])
      // A forged or stale session cookie is no session.
      expectRefused(await request(eventsUrl(['user:dave']), { cookie: 'nuxt-session=forged' }), 401, /private/)
    })

    it('mints a subscriber token for the signed-in user only, which then works cross-origin style (?access_token=)', async () => {
      expect((await request(`${subscriber.url}/api/notify/token`, {}, { method: 'POST' })).status).toBe(401)
      const cookie = await signIn(subscriber.url, 'frank')
      const response = await fetch(`${subscriber.url}/api/notify/token`, { method: 'POST', headers: { cookie } })
      expect(response.status).toBe(200)
      const minted = await response.json() as SubscriberToken
      expect(minted.subscribe).toEqual(['user:frank'])
      expect(Date.parse(minted.expiresAt)).toBeGreaterThan(Date.now())
      ;(await stream(['user:frank'], {}, `&access_token=${minted.token}`)).close()
      expectRefused(await request(eventsUrl(['user:grace'], `&access_token=${minted.token}`)), 403, /"user:grace"/)
    })

    it('ends a token\'s stream at its exp with a renew event; renewed, it resumes with Last-Event-ID, nothing lost', async () => {
      // `exp` is in whole seconds: this token has 2 to 3 s left, time enough to see one event first.
      const token = await subscriberToken(['user:heidi'], { expiresIn: 3 })
      const reader = await stream(['user:heidi'], bearer(token))
      const before = await publish('user:heidi', 'before expiry')
      await reader.until(r => r.events.some(event => event.id === before.id))
      await reader.until(r => r.events.some(event => event.event === STREAM_EVENTS.renew), 8000)
      await reader.ended
      const renew = reader.events.at(-1)!
      expect(renew.event).toBe(STREAM_EVENTS.renew)
      expect(json(renew)).toEqual({ reason: 'token-expired' })
      // No id on the renew frame: the client's Last-Event-ID stays its last real event.
      expect(renew.id).toBeUndefined()
      const missed = await publish('user:heidi', 'while renewing')
      expectRefused(await request(eventsUrl(['user:heidi']), bearer(token)), 401, /expired/)
      const renewed = await subscriberToken(['user:heidi'])
      const resumed = await stream(['user:heidi'], { ...bearer(renewed), 'last-event-id': before.id })
      await resumed.until(r => r.events.some(event => event.id === missed.id))
      expect(resumed.events.map(event => json<BroadcastPayload>(event).data)).toEqual(['while renewing'])
      resumed.close()
    })

    it('replays only the topics the stream was granted', async () => {
      const start = await publish('broadcast', 'mark')
      await publish('user:ivan', 'ivan 1')
      await publish('user:judy', 'judy secret')
      await publish('user:ivan', 'ivan 2')
      const token = await subscriberToken(['user:ivan'])
      const reader = await stream(['user:ivan'], { ...bearer(token), 'last-event-id': start.id })
      await reader.until(r => r.events.length >= 2)
      expect(reader.events.map(event => json<BroadcastPayload>(event).data)).toEqual(['ivan 1', 'ivan 2'])
      expect(reader.raw).not.toContain('judy')
      reader.close()
    })

    it('keeps a user\'s event replayable through 2,000 events on another topic (history per topic)', async () => {
      const before = await publish('broadcast', 'before')
      const mine = await publish('user:kim', 'still here')
      await runPool(2000, 16, async i => void await publish('broadcast', i))
      const token = await subscriberToken(['user:kim'])
      const reader = await stream(['user:kim'], { ...bearer(token), 'last-event-id': before.id })
      await reader.until(r => r.events.some(event => event.id === mine.id))
      expect(reader.events.some(event => event.event === STREAM_EVENTS.reset)).toBe(false)
      reader.close()
      // The busy topic itself is past its own history size (100): its client resets.
      const busy = await stream(['broadcast'], { 'last-event-id': before.id })
      await busy.until(r => r.events.length > 0)
      expect(busy.events[0]!.event).toBe(STREAM_EVENTS.reset)
      expect(json<ResetPayload>(busy.events[0]!).reason).toBe('history-expired')
      busy.close()
    }, 60_000)
  })

  describe(`publishing with scopes (${busName})`, () => {
    const publishWith = (authorization: string, topic: string) => request(`${publisher.url}/api/notify/publish`, { 'authorization': authorization, 'content-type': 'application/json' }, { method: 'POST', body: JSON.stringify({ topic, data: 'x' }) })

    it('the admin token publishes to any topic, private ones included', async () => {
      for (const topic of ['broadcast', 'user:larry', 'secret']) expect((await publishWith(`Bearer ${TOKEN}`, topic)).status).toBe(200)
    })

    it('a token with notify.publish publishes only to matching topics, 403 elsewhere', async () => {
      const token = await publisherToken(['user:*', 'alerts'])
      expect((await publishWith(`Bearer ${token}`, 'user:mallory')).status).toBe(200)
      expect((await publishWith(`Bearer ${token}`, 'alerts')).status).toBe(200)
      expectRefused(await publishWith(`Bearer ${token}`, 'broadcast'), 403, /"broadcast"/)
      expectRefused(await publishWith(`Bearer ${token}`, 'alertsx'), 403, /"alertsx"/)
    })

    it('a subscribe-only token cannot publish, even to the topic it reads', async () => {
      const token = await subscriberToken(['user:nina'])
      expectRefused(await publishWith(`Bearer ${token}`, 'user:nina'), 403, /may not publish/)
    })

    it('a refused publisher token is a 401, and a cookie is never a publish credential', async () => {
      for (const [, token] of await refusedTokens(['user:*'])) {
        expectRefused(await publishWith(`Bearer ${token}`, 'user:olga'), 401, /token/i)
      }
      const token = await publisherToken(['*'])
      const viaCookie = await request(`${publisher.url}/api/notify/publish`, { 'cookie': `notify_token=${token}`, 'content-type': 'application/json' }, { method: 'POST', body: '{"data":1}' })
      expectRefused(viaCookie, 401, /Authorization/)
    })
  })

  describe(`inbox API (${busName})`, () => {
    it('lists the user\'s own notifications newest first on every instance, with their state and counts', async () => {
      const other = await publish('user:quinn', 'not for rob')
      const first = await publish('user:rob', 'one')
      const second = await publish('user:rob', { text: 'two' })
      const cookieOnSubscriber = await signIn(subscriber.url, 'Rob')
      const inbox = async (instance: AppInstance, cookie: string) => (await fetch(`${instance.url}/api/inbox?status=all`, { headers: { cookie } })).json() as Promise<InboxPage>
      const before = await inbox(subscriber, cookieOnSubscriber)
      expect(before.items.map(item => item.id)).toEqual([second.id, first.id])
      expect(before.items[0]).toMatchObject({ event: 'message', data: { text: 'two' }, readAt: null, seenAt: null, archivedAt: null })
      expect(before.counts).toEqual({ unread: 2, unseen: 2, total: 2 })
      expect(JSON.stringify(before)).not.toContain(other.id)
      const cookieOnPublisher = await signIn(publisher.url, 'rob')
      expect((await inbox(publisher, cookieOnPublisher)).items.map(item => item.id)).toEqual([second.id, first.id])

      const marked = await fetch(`${subscriber.url}/api/inbox/${second.id}`, { method: 'PATCH', headers: { 'cookie': cookieOnSubscriber, 'content-type': 'application/json' }, body: JSON.stringify({ read: true }) })
      expect(marked.status).toBe(200)
      // Marked on one instance, read on the other (one database).
      expect((await inbox(publisher, cookieOnPublisher)).counts).toEqual({ unread: 1, unseen: 1, total: 2 })
      expect((await fetch(`${subscriber.url}/api/inbox`)).status).toBe(401)
      // Quinn's item is no item of Rob's: 404, as for an id that is no one's.
      const notMine = await fetch(`${subscriber.url}/api/inbox/${other.id}`, { method: 'PATCH', headers: { 'cookie': cookieOnSubscriber, 'content-type': 'application/json' }, body: '{"read":true}' })
      expect(notMine.status).toBe(404)
    })
  })

  describe(`stats and privacy (${busName})`, () => {
    it('public stats give totals only; the breakdown by topic needs the admin token', async () => {
      const token = await subscriberToken(['user:peggy'])
      const reader = await stream(['user:peggy'], bearer(token))
      const text = await (await fetch(`${subscriber.url}/api/notify/stats`)).text()
      const open = JSON.parse(text)
      expect(open.connections.total).toBeGreaterThanOrEqual(1)
      expect(open.connections.byTopic).toBeUndefined()
      expect(text).not.toContain('peggy')
      const admin = await subscriber.stats()
      expect(admin.connections.byTopic?.['user:peggy']).toBe(1)
      reader.close()
    })

    it('no user id, private topic or token in any log line', () => {
      const logs = `${publisher.logs()}\n${subscriber.logs()}`
      for (const secret of ['alice', 'bob', 'carol', 'dave', 'heidi', 'kim', 'peggy', 'rob', 'user:', 'eyJ']) expect(logs).not.toContain(secret)
    })
  })
}
