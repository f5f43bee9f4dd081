import type { InboxChange, InboxPage } from '#shared/types/inbox'
import type { BroadcastPayload } from '#shared/types/notify'
import { STREAM_EVENTS } from '#shared/utils/notify'
import { describe, expect, it } from 'vitest'
import type { AppInstance } from './processes'
import { signIn } from './session'
import { json, openSse } from './sse'
import { publisherToken, subscriberToken } from './tokens'

/** What an inbox suite's server needs besides the access secrets: a small history, a quiet heartbeat. */
export const INBOX_SUITE_ENV = { NUXT_NOTIFY_HEARTBEAT_MS: '60000' }

/**
 * The inbox API against one running production server (`app`): pagination, the three tabs and
 * their counts, 404 for what is not yours, the refusals of bad requests, the `inbox` event on the
 * person's own stream. Each test uses people of its own, so the order of the tests is free.
 */
export function describeInboxApi(storeName: string, app: AppInstance) {
  /** One signed-in person: their cookie and requests of their inbox. */
  async function person(name: string) {
    const cookie = await signIn(app.url, name)
    const call = (path: string, init: RequestInit = {}) => fetch(`${app.url}/api/inbox${path}`, { ...init, headers: { cookie, ...init.headers } })
    const write = (method: 'PATCH' | 'POST', path: string, body: unknown) => call(path, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    const ok = async <T>(response: Response | Promise<Response>): Promise<T> => {
      const answer = await response
      expect(answer.status, await answer.clone().text()).toBe(200)
      return answer.json() as Promise<T>
    }
    return {
      cookie,
      call,
      write,
      list: (query = '') => ok<InboxPage>(call(query)),
      patch: (id: string, body: unknown) => ok<InboxChange>(write('PATCH', `/${id}`, body)),
      seen: (body: unknown) => ok<InboxChange>(write('POST', '/seen', body)),
      readAll: (body: unknown = {}) => ok<InboxChange>(write('POST', '/read-all', body)),
    }
  }
  const publishTo = async (user: string, count: number) => {
    const ids: string[] = []
    for (let n = 1; n <= count; n++) ids.push((await app.publish({ topic: `user:${user}`, data: { text: `${user} ${n}` } })).id)
    return ids
  }

  describe(`inbox API (${storeName})`, () => {
    it('pages newest first with a cursor: every item once, in order, and the last page says so', async () => {
      const pia = await person('Pia')
      const ids = await publishTo('pia', 25)
      const seen: string[] = []
      const pages: number[] = []
      let next: string | null = null
      do {
        const page: InboxPage = await pia.list(`?status=all&limit=10${next ? `&before=${next}` : ''}`)
        seen.push(...page.items.map(item => item.id))
        pages.push(page.items.length)
        next = page.next
      } while (next && pages.length < 10)
      expect(pages).toEqual([10, 10, 5])
      expect(seen).toEqual([...ids].reverse())
      const first = await pia.list('?limit=1')
      expect(first.items[0]).toMatchObject({ id: ids.at(-1), event: 'message', data: { text: 'pia 25' }, seenAt: null, readAt: null, archivedAt: null })
      expect(first.items[0]!.at).toMatch(/^\d{4}-\d\d-\d\dT/)
      expect(first.counts).toEqual({ unread: 25, unseen: 25, total: 25 })
      // The default page: 20 of the unread.
      expect((await pia.list()).items).toHaveLength(20)
      expect((await pia.list('?limit=100')).next).toBeNull()
    })

    it('keeps each item\'s read, archived and seen state, the tabs and the counts to match', async () => {
      const uma = await person('Uma')
      const [a, b, c] = await publishTo('uma', 3) as [string, string, string]
      const tab = async (status: string) => (await uma.list(`?status=${status}`)).items.map(item => item.id)

      const read = await uma.patch(a, { read: true })
      expect(read).toMatchObject({ ids: [a], set: { read: true }, counts: { unread: 2, unseen: 2, total: 3 } })
      expect(await tab('unread')).toEqual([c, b])
      expect(await tab('all')).toEqual([c, b, a])
      const readItem = (await uma.list('?status=all')).items.find(item => item.id === a)!
      expect(readItem.readAt).toBe(read.at)
      expect(readItem.seenAt).toBe(read.at)
      // Marking it read again changes nothing.
      expect((await uma.patch(a, { read: true })).ids).toEqual([])

      expect((await uma.patch(b, { archived: true })).counts).toEqual({ unread: 1, unseen: 1, total: 3 })
      expect(await tab('archived')).toEqual([b])
      expect(await tab('all')).toEqual([c, a])
      expect((await uma.patch(b, { archived: false })).counts).toEqual({ unread: 2, unseen: 2, total: 3 })
      expect(await tab('archived')).toEqual([])

      expect((await uma.seen({ ids: [c] })).counts).toEqual({ unread: 2, unseen: 1, total: 3 })
      expect((await uma.seen({ upTo: c })).ids).toEqual([b])
      expect((await uma.list()).counts.unseen).toBe(0)

      expect((await uma.patch(a, { read: false })).counts.unread).toBe(3)
      // Read-all up to b leaves c, which arrived after what the page showed.
      const upToB = await uma.readAll({ upTo: b })
      expect(upToB.ids.sort()).toEqual([a, b].sort())
      expect(await tab('unread')).toEqual([c])
      expect((await uma.readAll()).counts).toEqual({ unread: 0, unseen: 0, total: 3 })
    })

    it('says who sent each item: a publisher token\'s subject, null for the operator\'s token', async () => {
      const bea = await person('Bea')
      const token = await publisherToken(['user:*'], { sub: 'billing' })
      const answer = await app.publishRaw({ topic: 'user:bea', data: { text: 'invoice' } }, { authorization: `Bearer ${token}` })
      expect(answer.status, await answer.clone().text()).toBe(200)
      await publishTo('bea', 1)
      expect((await bea.list()).items.map(item => [item.data, item.sender])).toEqual([[{ text: 'bea 1' }, null], [{ text: 'invoice' }, 'billing']])
    })

    it('answers 404 for an item that is not yours, the same as for no item at all; never 403', async () => {
      const [vics] = await publishTo('vic', 1) as [string]
      const walt = await person('Walt')
      await publishTo('walt', 1)
      const notMine = await walt.write('PATCH', `/${vics}`, { read: true })
      const noOne = await walt.write('PATCH', '/1-1', { read: true })
      const notAnId = await walt.write('PATCH', '/x', { read: true })
      for (const answer of [notMine, noOne, notAnId]) expect(answer.status).toBe(404)
      const bodies = await Promise.all([notMine, noOne].map(async answer => (await answer.json()).message))
      expect(bodies[0]).toBe(bodies[1])
      expect((await walt.write('POST', '/seen', { ids: [vics] })).status).toBe(404)
      // And Vic's item is untouched.
      const vic = await person('Vic')
      expect((await vic.list()).items.map(item => ({ id: item.id, seenAt: item.seenAt, readAt: item.readAt }))).toEqual([{ id: vics, seenAt: null, readAt: null }])
    })

    it('opens to a subscriber token for user:<sub>; 401 without credentials, 403 for a token of no inbox', async () => {
      const [id] = await publishTo('xena', 1) as [string]
      const as = async (token: string, path = '', init: RequestInit = {}) => fetch(`${app.url}/api/inbox${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } })
      const token = await subscriberToken(['user:xena'], { sub: 'xena' })
      const page = await (await as(token)).json() as InboxPage
      expect(page.items.map(item => item.id)).toEqual([id])
      const patched = await as(token, `/${id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"read":true}' })
      expect(patched.status).toBe(200)

      const anonymous = await fetch(`${app.url}/api/inbox`)
      expect(anonymous.status).toBe(401)
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/)
      expect((await as(await subscriberToken(['user:xena'], { sub: 'yuri' }))).status).toBe(403)
      expect((await as('not-a-token')).status).toBe(401)
    })

    it('takes JSON only (415), small bodies (413), and names what is wrong (400)', async () => {
      const zoe = await person('Zoe')
      const [id] = await publishTo('zoe', 1) as [string]
      const raw = (method: string, path: string, body: string, type = 'application/json') => zoe.call(path, { method, headers: { 'content-type': type }, body })
      const expectError = async (response: Promise<Response>, status: number, message: RegExp) => {
        const answer = await response
        const text = await answer.text()
        expect(answer.status, text).toBe(status)
        expect(answer.headers.get('content-type')).toMatch(/application\/json/)
        const body = JSON.parse(text)
        expect(body.message).toMatch(message)
        expect(text).not.toMatch(/at .+\.m?js:\d+/)
      }
      await expectError(raw('PATCH', `/${id}`, 'read=true', 'application/x-www-form-urlencoded'), 415, /JSON/)
      await expectError(raw('POST', '/read-all', '{}', 'text/plain'), 415, /JSON/)
      await expectError(raw('POST', '/seen', JSON.stringify({ ids: Array.from({ length: 2000 }, () => id) })), 413, /larger than/)
      await expectError(raw('PATCH', `/${id}`, '{"read":'), 400, /not valid JSON/)
      await expectError(raw('PATCH', `/${id}`, '{}'), 400, /"read" or "archived"/)
      await expectError(raw('PATCH', `/${id}`, '{"read":"yes"}'), 400, /read/)
      await expectError(raw('PATCH', `/${id}`, '{"read":true,"owner":"zoe"}'), 400, /owner/)
      await expectError(raw('POST', '/seen', '{"ids":[]}'), 400, /ids/)
      await expectError(raw('POST', '/seen', '{"upTo":"soon"}'), 400, /event id|upTo/)
      await expectError(raw('POST', '/read-all', '{"upTo":"x"}'), 400, /upTo/)
      await expectError(zoe.call('?status=new'), 400, /status/)
      await expectError(zoe.call('?limit=0'), 400, /limit/)
      await expectError(zoe.call('?limit=101'), 400, /limit/)
      await expectError(zoe.call('?before=yesterday'), 400, /before/)
      expect((await zoe.list()).counts).toEqual({ unread: 1, unseen: 1, total: 1 })
    })

    it('tells the person\'s own stream every change: the ids and the counts, not as an item', async () => {
      const ada = await person('Ada')
      const [first, second] = await publishTo('ada', 2) as [string, string]
      const stream = await openSse(`${app.url}/api/notify/events?topic=user:ada`, { cookie: ada.cookie })
      try {
        expect(stream.response.status).toBe(200)
        await stream.until(reader => reader.retries.length > 0)
        await ada.patch(first, { read: true })
        await ada.readAll()
        const changes = () => stream.events.filter(event => event.event === STREAM_EVENTS.inbox).map(event => json<BroadcastPayload<InboxChange>>(event))
        await stream.until(() => changes().length >= 2)
        expect(changes()[0]).toMatchObject({ topic: 'user:ada', data: { ids: [first], set: { read: true }, counts: { unread: 1, unseen: 1, total: 2 } } })
        expect(changes()[1]!.data).toMatchObject({ ids: [second], counts: { unread: 0, unseen: 0, total: 2 } })
        // The change events are not notifications of the inbox.
        expect((await ada.list('?status=all')).items.map(item => item.id)).toEqual([second, first])
      }
      finally {
        stream.close()
      }
    })
  })
}
