import { $fetch, getBrowser, url } from '@nuxt/test-utils/e2e'
import type { BrowserContext } from 'playwright-core'
import { afterEach, describe, expect, it } from 'vitest'
import type { RecentEvents } from '#shared/types/notify'
import { pageProblems } from '../support/page'
import { setupServer } from '../support/server'

// The demo feed, so /live has log lines to show (seeded by the server's render, then live).
await setupServer({ NUXT_NOTIFY_DEMO_PUBLISHER: 'true', NUXT_NOTIFY_DEMO_INTERVAL_MS: '300' }, { browser: true })

const DAY_MS = 24 * 60 * 60_000
const CLOCK = /^\d{2}:\d{2}:\d{2}$/
const CLOCK_MS = /^\d{2}:\d{2}:\d{2}\.\d{3}$/

/** A browser in `locale`, showing the UI in `ui` (the `lang` cookie the header's switch sets). */
async function browserIn(locale: string, ui: 'zh' | 'en'): Promise<BrowserContext> {
  const context = await (await getBrowser()).newContext({ locale, timezoneId: 'Asia/Shanghai' })
  await context.addCookies([{ name: 'lang', value: ui, url: url('/') }])
  return context
}

let context: BrowserContext | undefined
afterEach(() => context?.close())

/** A few log lines published, so the page's render seeds some. */
async function someLogLines() {
  await expect.poll(async () => (await $fetch<RecentEvents>('/api/notify/recent', { query: { topic: 'logs' } })).events.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3)
}

describe('dates and times follow the UI\'s language, not the browser\'s', () => {
  it.each([
    ['en-US', 'zh', /^\d{1,2}月\d{1,2}日 \d{2}:\d{2}:\d{2}$/],
    ['zh-CN', 'en', /^[A-Z][a-z]{2} \d{1,2}, \d{2}:\d{2}:\d{2}$/],
  ] as const)('a %s browser with the UI in %s: 24-hour clock today, the date in the UI\'s language before today', async (locale, ui, dated) => {
    await someLogLines()
    context = await browserIn(locale, ui)
    const page = await context.newPage()
    const problems = pageProblems(page)
    await page.goto(url('/live'), { waitUntil: 'networkidle' })
    const times = page.getByTestId('log-line').locator('time')
    await expect.poll(() => times.count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(3)
    for (const text of await times.allTextContents()) expect(text).toMatch(CLOCK)

    // The counting history: the clock with milliseconds.
    await page.goto(url('/'), { waitUntil: 'networkidle' })
    await page.getByTestId('toggle').click()
    const first = page.getByTestId('history').locator('li time').first()
    await expect.poll(() => first.textContent(), { timeout: 10_000 }).toMatch(CLOCK_MS)

    // The same lines read a day later (the browser's clock moved on): each carries its date, written
    // in the UI's language, whatever language the browser speaks.
    await page.clock.setFixedTime(Date.now() + DAY_MS)
    await page.goto(url('/live'), { waitUntil: 'networkidle' })
    await expect.poll(() => times.count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(3)
    expect(await times.first().textContent()).toMatch(dated)
    expect(problems).toEqual([])
  })
})
