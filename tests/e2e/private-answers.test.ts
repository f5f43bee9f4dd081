import { afterAll, describe, expect, it } from 'vitest'
import { startInstance } from '../support/processes'
import { TOKEN } from '../support/server'
import { signIn } from '../support/session'
import { ACCESS_ENV, subscriberToken } from '../support/tokens'

const app = await startInstance({ ...ACCESS_ENV, NUXT_NOTIFY_PUBLISH_TOKEN: TOKEN, NUXT_NOTIFY_DEMO_PUBLISHER: 'false' })
afterAll(() => app.stop())

/** The answer is 200 and no cache may keep it: `private, no-store`, `Vary` naming each header it depends on. */
async function expectPrivate(what: string, response: Response, dependsOn: string[]) {
  expect(response.status, `${what}: ${await response.clone().text()}`).toBe(200)
  expect(response.headers.get('cache-control'), what).toBe('private, no-store')
  const vary = (response.headers.get('vary') ?? '').toLowerCase().split(/\s*,\s*/)
  for (const header of dependsOn) expect(vary, what).toContain(header)
}

describe('what is served under a grant or a session is never cached', () => {
  it('a private topic\'s history, with a token from the header or the URL, or with the session', async () => {
    await app.publish({ topic: 'user:cached', data: 'private' })
    const token = await subscriberToken(['user:cached'])
    const recent = `${app.url}/api/notify/recent?topic=user:cached`
    await expectPrivate('recent, bearer', await fetch(recent, { headers: { authorization: `Bearer ${token}` } }), ['authorization', 'cookie'])
    await expectPrivate('recent, ?access_token=', await fetch(`${recent}&access_token=${token}`), ['authorization', 'cookie'])
    const cookie = await signIn(app.url, 'cached')
    await expectPrivate('recent, session', await fetch(recent, { headers: { cookie } }), ['authorization', 'cookie'])
  })

  it('the operator\'s figures: stats by topic and runtime, metrics', async () => {
    const authorization = `Bearer ${TOKEN}`
    await expectPrivate('stats', await fetch(`${app.url}/api/notify/stats?runtime=1`, { headers: { authorization } }), ['authorization'])
    await expectPrivate('metrics', await fetch(`${app.url}/api/notify/metrics`, { headers: { authorization } }), ['authorization'])
  })

  it('the session\'s own answers: the inbox, a minted token, the session, a page rendered for the signed-in user', async () => {
    const cookie = await signIn(app.url, 'cached-pages')
    await expectPrivate('inbox', await fetch(`${app.url}/api/inbox`, { headers: { cookie } }), ['cookie'])
    await expectPrivate('token', await fetch(`${app.url}/api/notify/token`, { method: 'POST', headers: { cookie } }), ['cookie'])
    await expectPrivate('session', await fetch(`${app.url}/api/_auth/session`, { headers: { cookie } }), ['cookie'])
    const page = await fetch(`${app.url}/inbox`, { headers: { cookie, accept: 'text/html' } })
    expect(await page.clone().text()).toContain('cached-pages')
    await expectPrivate('the /inbox page', page, ['cookie'])
  })
})
