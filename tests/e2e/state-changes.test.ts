import type { InboxPage } from '#shared/types/inbox'
import { afterAll, describe, expect, it } from 'vitest'
import { startInstance } from '../support/processes'
import { TOKEN } from '../support/server'
import { signIn } from '../support/session'
import { ACCESS_ENV } from '../support/tokens'

const app = await startInstance({ ...ACCESS_ENV, NUXT_NOTIFY_PUBLISH_TOKEN: TOKEN, NUXT_NOTIFY_DEMO_PUBLISHER: 'false' })
afterAll(() => app.stop())

const send = (method: string, path: string, cookie: string, type: string, body: string) => fetch(`${app.url}${path}`, { method, headers: { cookie, 'content-type': type }, body })
const inbox = async (cookie: string) => (await fetch(`${app.url}/api/inbox?status=all`, { headers: { cookie } })).json() as Promise<InboxPage>

describe('state changes take JSON only, and name the user\'s own events', () => {
  it('refuses a form (or any other type) sent with the session: a sibling subdomain is same-site', async () => {
    const cookie = await signIn(app.url, 'form-victim')
    const own = await app.publish({ topic: 'user:form-victim', data: 'one' })
    const forms = [['application/x-www-form-urlencoded', 'read=true'], ['multipart/form-data; boundary=x', '--x\r\ncontent-disposition: form-data; name="read"\r\n\r\ntrue\r\n--x--\r\n'], ['text/plain', JSON.stringify({ read: true })]]
    for (const [method, path] of [['PATCH', `/api/inbox/${own.id}`], ['POST', '/api/inbox/read-all'], ['POST', '/api/inbox/seen']]) {
      for (const [type, body] of forms) {
        const response = await send(method!, path!, cookie, type!, body!)
        expect(response.status, `${method} ${path} ${type}`).toBe(415)
        expect((await response.json()).message).toMatch(/JSON/)
      }
    }
    expect((await inbox(cookie)).items.map(item => [item.readAt, item.seenAt])).toEqual([[null, null]])
    // Minting a token (and setting its cookie) is a state change too: no form can ask for it.
    const token = await send('POST', '/api/notify/token?cookie=1', cookie, 'application/x-www-form-urlencoded', '')
    expect(token.status).toBe(415)
    expect(token.headers.getSetCookie()).toEqual([])
  })

  it('changes only the user\'s own items: a made-up or another user\'s id is a 404, and a read-all never reaches a later one', async () => {
    const cookie = await signIn(app.url, 'reader')
    const others = await app.publish({ topic: 'user:someone-else', data: 'not yours' })
    const own = await app.publish({ topic: 'user:reader', data: 'yours' })
    for (const id of ['999999999999999-1', others.id]) {
      const response = await send('PATCH', `/api/inbox/${id}`, cookie, 'application/json', JSON.stringify({ read: true }))
      expect(response.status, id).toBe(404)
    }
    expect((await inbox(cookie)).counts.unread).toBe(1)
    // A made-up future id marks what there is, not what is to come.
    const marked = await send('POST', '/api/inbox/read-all', cookie, 'application/json', JSON.stringify({ upTo: '999999999999999-1' }))
    expect(marked.status).toBe(200)
    expect(await marked.json()).toMatchObject({ ids: [own.id], counts: { unread: 0 } })
    const later = await app.publish({ topic: 'user:reader', data: 'new' })
    const state = await inbox(cookie)
    expect(state.items[0]).toMatchObject({ id: later.id, readAt: null })
    expect(state.counts.unread).toBe(1)
  })

  it('the session routes refuse without a session: 401 Unauthorized with their message, and no session started', async () => {
    for (const [method, path] of [['GET', '/api/inbox'], ['POST', '/api/inbox/read-all'], ['POST', '/api/notify/token']] as const) {
      for (const cookie of [undefined, 'nuxt-session=forged']) {
        const response = await fetch(`${app.url}${path}`, { method, headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) }, body: method === 'POST' ? '{}' : undefined })
        const what = `${method} ${path} ${cookie ?? 'no cookie'}`
        expect(response.status, what).toBe(401)
        expect(response.statusText, what).toBe('Unauthorized')
        expect(await response.json(), what).toMatchObject({ statusCode: 401, statusMessage: 'Unauthorized', message: expect.stringMatching(/^Sign in/) })
        if (!cookie) expect(response.headers.getSetCookie(), what).toEqual([])
      }
    }
  })
})
