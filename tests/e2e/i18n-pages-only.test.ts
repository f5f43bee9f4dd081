import { afterAll, describe, expect, it } from 'vitest'
import { startInstance } from '../support/processes'

// server/plugins/i18n-pages-only.ts recognises @nuxtjs/i18n's request hook in the built server; an
// i18n upgrade that changes it must show up here, not only as a slower churn.
const app = await startInstance({ NUXT_NOTIFY_DEMO_PUBLISHER: 'false' })
afterAll(() => app.stop())

/** The plugin gives up looking 5 s after start-up and warns then; a little longer than that. */
const PAST_THE_LOOKOUT_MS = 6000

describe('@nuxtjs/i18n on our own routes', () => {
  it('finds i18n\'s request hook (no start-up warning) and pages still render the cookie\'s language', async () => {
    const started = Date.now()
    expect((await fetch(`${app.url}/api/health`)).status).toBe(200)
    for (const [cookie, lang] of [['lang=en', 'en'], ['lang=zh', 'zh-CN']] as const) {
      const html = await (await fetch(`${app.url}/`, { headers: { cookie }, signal: AbortSignal.timeout(10_000) })).text()
      expect(html, cookie).toMatch(new RegExp(`<html[^>]*\\slang="${lang}"`))
    }
    await new Promise(resolve => setTimeout(resolve, Math.max(0, PAST_THE_LOOKOUT_MS - (Date.now() - started))))
    expect(app.logs()).not.toContain('request hook (initializeI18nContext) was not found')
  }, 30_000)
})
