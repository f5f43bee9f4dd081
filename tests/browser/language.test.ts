import { getBrowser, url } from '@nuxt/test-utils/e2e'
import type { BrowserContext } from 'playwright-core'
import { afterEach, describe, expect, it } from 'vitest'
import { pageProblems } from '../support/page'
import { setupServer } from '../support/server'

await setupServer({}, { browser: true })

/** A browser whose own language is English: the UI must still start in Chinese. */
async function englishBrowser(): Promise<BrowserContext> {
  return (await getBrowser()).newContext({ locale: 'en-US' })
}

let context: BrowserContext | undefined
afterEach(() => context?.close())

describe('the UI language in Chromium', () => {
  it('starts in Chinese whatever the browser\'s language, and keeps a switch to English across reloads and pages', async () => {
    context = await englishBrowser()
    const page = await context.newPage()
    const problems = pageProblems(page)

    const first = await page.goto(url('/'), { waitUntil: 'networkidle' })
    expect(first?.request().headers()['accept-language']).toMatch(/^en-US/)
    expect(await first?.text()).toMatch(/<html[^>]* lang="zh-CN"/)
    await expect.poll(() => page.getByTestId('toggle').textContent()).toContain('建立连接')
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN')

    await page.getByTestId('language').click()
    await expect.poll(() => page.getByTestId('toggle').textContent()).toContain('Connect')
    expect(await page.locator('html').getAttribute('lang')).toBe('en')
    // The whole title in the UI's language, the app's name too.
    expect(await page.title()).toBe('Counting stream · SSE live notifications')
    expect((await context.cookies()).find(cookie => cookie.name === 'lang')?.value).toBe('en')

    // The server renders the chosen language, so hydration has nothing to change (no mismatch logged).
    const reloaded = await page.reload({ waitUntil: 'networkidle' })
    const html = await reloaded?.text()
    expect(html).toMatch(/<html[^>]* lang="en"/)
    expect(html).toContain('>Connect<')
    await page.goto(url('/live'), { waitUntil: 'networkidle' })
    await expect.poll(() => page.locator('h1').textContent()).toContain('Live broadcast')
    expect(await page.locator('html').getAttribute('lang')).toBe('en')

    await page.getByTestId('language').click()
    await expect.poll(() => page.locator('h1').textContent()).toContain('实时广播')
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN')
    expect((await context.cookies()).find(cookie => cookie.name === 'lang')?.value).toBe('zh')
    expect(problems).toEqual([])
  })
})
