import { afterAll, describe, expect, it } from 'vitest'
import { startInstance } from '../support/processes'
import { TOKEN } from '../support/server'
import { ACCESS_ENV, subscriberToken } from '../support/tokens'

const app = await startInstance({ ...ACCESS_ENV, NUXT_NOTIFY_PUBLISH_TOKEN: TOKEN, NUXT_NOTIFY_DEMO_PUBLISHER: 'false' })
afterAll(() => app.stop())

const SECRET = 'leaky-secret-4242'
/** What a query may carry that no answer may repeat: the token, a private topic, and the parameter's name. */
const LEAKS = /leaky-secret-4242|leaky%2Dsecret|user:alice|user%3Aalice|access_token|access%5Ftoken/i
const ACCEPTS = { 'a browser': 'text/html,application/xhtml+xml', 'a JSON client': 'application/json', 'no Accept': '' }

describe('no answer echoes the query', () => {
  it.each(Object.entries(ACCEPTS))('a page 404 (a path outside /api/), for %s: not in the reason phrase, the body or a header', async (_, accept) => {
    for (const path of ['/API/notify/events', '/nothing-here', '/api']) {
      for (const query of [`?access_token=${SECRET}&topic=user:alice`, `?access%5Ftoken=leaky%2Dsecret-4242&topic=user%3Aalice`]) {
        const response = await fetch(`${app.url}${path}${query}`, { headers: accept ? { accept } : {} })
        const text = await response.text()
        const what = `${path}${query} (${accept || 'no accept'})`
        expect(response.status, what).toBe(404)
        expect(response.statusText, what).not.toMatch(LEAKS)
        expect(text, what).not.toMatch(LEAKS)
        for (const [name, value] of response.headers) expect(`${name}: ${value}`, what).not.toMatch(LEAKS)
        // Still says which page was not found.
        expect(text, what).toContain(path === '/API/notify/events' ? 'notify' : path.slice(1) || '/')
      }
    }
  })

  it('a page that answers 200 with ?access_token= in its URL neither renders nor serialises it (HTML, payload)', async () => {
    for (const page of ['/inbox', '/live', '/status', '/']) {
      const response = await fetch(`${app.url}${page}?access_token=${SECRET}&topic=user:alice`, { headers: { accept: 'text/html' } })
      const html = await response.text()
      expect(response.status, page).toBe(200)
      expect(html, page).toContain('__NUXT_DATA__')
      expect(html, page).not.toMatch(LEAKS)
    }
  })

  it('a token under another spelling of access_token (access%5Ftoken) is the same credential, refused the same when bad', async () => {
    const token = await subscriberToken(['user:spelled'])
    for (const key of ['access_token', 'access%5Ftoken', '%61ccess_token']) {
      const granted = await fetch(`${app.url}/api/notify/recent?topic=user:spelled&${key}=${token}`)
      expect(granted.status, key).toBe(200)
      const refused = await fetch(`${app.url}/api/notify/recent?topic=user:spelled&${key}=${token.slice(0, -4)}`)
      expect(refused.status, key).toBe(401)
      expect(await refused.text(), key).not.toContain(token.slice(0, 40))
    }
  })
})
