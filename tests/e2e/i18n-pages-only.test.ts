import { afterAll, describe, expect, it } from 'vitest'
import { startInstance } from '../support/processes'

// server/lib/fast-path/i18n-pages-only.ts recognises @nuxtjs/i18n's request hook in the built server; an
// i18n upgrade that changes it must show up here, not only as a slower churn.
const app = await startInstance({ NUXT_NOTIFY_DEMO_PUBLISHER: 'false' })
afterAll(() => app.stop())

/** The fast path looks for the hook once, before the first request, and warns then; a few more requests for good measure. */
const PAST_THE_LOOKOUT = 25

describe('@nuxtjs/i18n on our own routes', () => {
  it('finds i18n\'s request hook (no start-up warning) and pages still render the cookie\'s language', async () => {
    expect((await fetch(`${app.url}/api/health`)).status).toBe(200)
    for (const [cookie, lang] of [['lang=en', 'en'], ['lang=zh', 'zh-CN']] as const) {
      const html = await (await fetch(`${app.url}/`, { headers: { cookie }, signal: AbortSignal.timeout(10_000) })).text()
      expect(html, cookie).toMatch(new RegExp(`<html[^>]*\\slang="${lang}"`))
    }
    for (let i = 0; i < PAST_THE_LOOKOUT; i++) expect((await fetch(`${app.url}/api/health`)).status).toBe(200)
    // The warning would be written during the first request; give its pipe a moment to deliver it.
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(app.logs()).not.toContain('request hook (initializeI18nContext) was not found')
  }, 30_000)
})
