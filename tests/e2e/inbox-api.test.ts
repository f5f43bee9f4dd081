import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { InboxPage } from '#shared/types/inbox'
import { afterAll, describe, expect, it } from 'vitest'
import { INBOX_SUITE_ENV, describeInboxApi } from '../support/inbox-api-suite'
import { startInstance } from '../support/processes'
import { TOKEN } from '../support/server'
import { signIn } from '../support/session'
import { ACCESS_ENV } from '../support/tokens'

const dir = mkdtempSync(join(tmpdir(), 'notify-inbox-api-'))
const env = { ...ACCESS_ENV, ...INBOX_SUITE_ENV, NUXT_NOTIFY_PUBLISH_TOKEN: TOKEN, NUXT_NOTIFY_DEMO_PUBLISHER: 'false', NUXT_NOTIFY_DATABASE_URL: `file:${join(dir, 'notify.sqlite')}` }
// One production instance with the default store: SQLite in a file (of its own here).
let app = await startInstance(env)
afterAll(async () => {
  await app.stop()
  rmSync(dir, { recursive: true, force: true })
})

describeInboxApi('SQLite', app)

describe('the inbox across a restart (SQLite)', () => {
  it('keeps every item and what was read, archived and seen: the state is in the database', async () => {
    const published = []
    for (const text of ['kept 1', 'kept 2', 'kept 3']) published.push((await app.publish({ topic: 'user:rhea', data: { text } })).id)
    const [first, second, third] = published as [string, string, string]
    const write = async (cookie: string, path: string, body: unknown) => {
      const answer = await fetch(`${app.url}/api/inbox${path}`, { method: path === '/seen' ? 'POST' : 'PATCH', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(body) })
      expect(answer.status).toBe(200)
    }
    let cookie = await signIn(app.url, 'Rhea')
    await write(cookie, `/${first}`, { read: true })
    await write(cookie, `/${second}`, { archived: true })
    await write(cookie, '/seen', { ids: [third] })
    const before = await (await fetch(`${app.url}/api/inbox?status=all`, { headers: { cookie } })).json() as InboxPage

    await app.stop()
    app = await startInstance(env)
    cookie = await signIn(app.url, 'Rhea')
    const after = await (await fetch(`${app.url}/api/inbox?status=all`, { headers: { cookie } })).json() as InboxPage
    expect(after.items).toEqual(before.items)
    expect(after.items.map(item => item.id)).toEqual([third, first])
    expect(after.counts).toEqual({ unread: 1, unseen: 0, total: 3 })
    const archived = await (await fetch(`${app.url}/api/inbox?status=archived`, { headers: { cookie } })).json() as InboxPage
    expect(archived.items.map(item => item.id)).toEqual([second])
  })
})

describe('the inbox\'s metrics (SQLite)', () => {
  it('counts the inbox writes with the store\'s series, and names no user', async () => {
    const scrape = async () => (await fetch(`${app.url}/api/notify/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text()
    const value = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1])
    const before = await scrape()
    const { id } = await app.publish({ topic: 'user:metrica', data: { text: 'count me' } })
    const cookie = await signIn(app.url, 'Metrica')
    const answer = await fetch(`${app.url}/api/inbox/${id}`, { method: 'PATCH', headers: { cookie, 'content-type': 'application/json' }, body: '{"read":true}' })
    expect(answer.status).toBe(200)
    const after = await scrape()
    expect(value(after, 'notify_store_inbox_writes_total') - value(before, 'notify_store_inbox_writes_total')).toBe(1)
    expect(value(after, 'notify_store_inbox_items_total') - value(before, 'notify_store_inbox_items_total')).toBe(1)
    expect(value(after, 'notify_store_inbox_write_seconds_total')).toBeGreaterThan(0)
    expect(after).not.toMatch(/metrica/i)
  })
})
