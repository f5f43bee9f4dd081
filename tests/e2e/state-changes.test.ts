import type { InboxState } from '#shared/types/notify'
import { afterAll, describe, expect, it } from 'vitest'
import { startInstance } from '../support/processes'
import { TOKEN } from '../support/server'
import { signIn } from '../support/session'
import { ACCESS_ENV } from '../support/tokens'

const app = await startInstance({ ...ACCESS_ENV, NUXT_NOTIFY_PUBLISH_TOKEN: TOKEN, NUXT_NOTIFY_DEMO_PUBLISHER: 'false' })
afterAll(() => app.stop())

const post = (path: string, cookie: string, type: string, body: string) => fetch(`${app.url}${path}`, { method: 'POST', headers: { cookie, 'content-type': type }, body })
const inbox = async (cookie: string) => (await fetch(`${app.url}/api/inbox`, { headers: { cookie } })).json() as Promise<InboxState>

describe('state changes take JSON only, and name the user\'s own events', () => {
  it('refuses a form (or any other type) posted with the session: a sibling subdomain is same-site', async () => {
    const cookie = await signIn(app.url, 'form-victim')
    const own = await app.publish({ topic: 'user:form-victim', data: 'one' })
    for (const [type, body] of [['application/x-www-form-urlencoded', `upTo=${own.id}`], ['multipart/form-data; boundary=x', `--x\r\ncontent-disposition: form-data; name="upTo"\r\n\r\n${own.id}\r\n--x--\r\n`], ['text/plain', JSON.stringify({ upTo: own.id })]]) {
      const response = await post('/api/inbox/read', cookie, type!, body!)
      expect(response.status, type).toBe(415)
      expect((await response.json()).message).toMatch(/JSON/)
    }
    expect((await inbox(cookie)).readUpTo).toBeNull()
    // Minting a token (and setting its cookie) is a state change too: no form can ask for it.
    const token = await post('/api/notify/token?cookie=1', cookie, 'application/x-www-form-urlencoded', '')
    expect(token.status).toBe(415)
    expect(token.headers.getSetCookie()).toEqual([])
  })

  it('marks read only up to an event of that user\'s own inbox: a made-up or another user\'s id is a 400', async () => {
    const cookie = await signIn(app.url, 'reader')
    const others = await app.publish({ topic: 'user:someone-else', data: 'not yours' })
    const own = await app.publish({ topic: 'user:reader', data: 'yours' })
    for (const upTo of ['999999999999999-1', others.id]) {
      const response = await post('/api/inbox/read', cookie, 'application/json', JSON.stringify({ upTo }))
      expect(response.status, upTo).toBe(400)
      expect(await response.json(), upTo).toMatchObject({ data: { field: 'upTo' }, message: expect.stringMatching(/"upTo"/) })
    }
    expect((await inbox(cookie)).readUpTo).toBeNull()
    const marked = await post('/api/inbox/read', cookie, 'application/json', JSON.stringify({ upTo: own.id }))
    expect(marked.status).toBe(200)
    expect(await marked.json()).toEqual({ readUpTo: own.id })
    // A notification published after it is still unread.
    const later = await app.publish({ topic: 'user:reader', data: 'new' })
    const state = await inbox(cookie)
    expect(state.items[0]!.id).toBe(later.id)
    expect(state.readUpTo).toBe(own.id)
  })
})
