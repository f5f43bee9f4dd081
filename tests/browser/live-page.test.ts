import { createPage, getBrowser, url } from '@nuxt/test-utils/e2e'
import { describe, expect, it } from 'vitest'
import { pageProblems, unfoldRawHistory } from '../support/page'
import { TOKEN, setupServer } from '../support/server'

// The demo publisher on, fast, to show the page is fed without anyone publishing.
const { publish } = await setupServer({ NUXT_NOTIFY_DEMO_PUBLISHER: 'true', NUXT_NOTIFY_DEMO_INTERVAL_MS: '300' }, { browser: true })

const history = '[data-testid=history]'

describe('the live page in Chromium', () => {
  it('streams the demo topics, follows topic selection, and publishes from its form', async () => {
    const page = await createPage('/live')
    const problems = pageProblems(page)
    await unfoldRawHistory(page)

    await expect.poll(() => page.getByTestId('status').getAttribute('data-status')).toBe('open')
    await page.locator(`${history} [data-kind=message]`, { hasText: '[ticker]' }).first().waitFor()
    await page.locator(`${history} [data-kind=message]`, { hasText: '[logs]' }).first().waitFor()

    const result = await publish({ topic: 'broadcast', data: { note: 'from the API' } })
    await page.locator(`${history} li`, { hasText: 'from the API' }).waitFor()
    expect(result.delivered).toBe(1)

    // Unsubscribing from `broadcast` reconnects with the other topics only.
    await page.getByRole('checkbox', { name: 'broadcast' }).uncheck()
    await expect.poll(() => page.locator(`${history} [data-kind=open]`).count()).toBe(2)
    await expect.poll(() => page.getByTestId('status').getAttribute('data-status')).toBe('open')
    expect((await publish({ topic: 'broadcast', data: 'not for this page' })).delivered).toBe(0)
    const tickers = await page.locator(`${history} [data-kind=message]`, { hasText: '[ticker]' }).count()
    await page.locator(`${history} [data-kind=message]`, { hasText: '[ticker]' }).nth(tickers).waitFor()
    expect(await page.locator(`${history} li`, { hasText: 'not for this page' }).count()).toBe(0)

    // The publish form, with the token typed in.
    await page.getByRole('checkbox', { name: 'broadcast' }).check()
    await expect.poll(() => page.locator(`${history} [data-kind=open]`).count()).toBe(3)
    const form = page.getByTestId('publish-form')
    await form.locator('input[type=password]').fill(TOKEN)
    await form.locator('textarea').fill('{"from":"the form"}')
    await form.getByRole('button').click()
    await form.getByRole('status').filter({ hasText: '已发布' }).waitFor()
    await page.locator(`${history} li`, { hasText: '"from":"the form"' }).waitFor()

    // A wrong token shows the refusal in the page's language (its code translated, not the server's
    // English), and again in English after a switch.
    await form.locator('input[type=password]').fill('wrong')
    await form.getByRole('button').click()
    await form.getByRole('status').filter({ hasText: '令牌不正确。' }).waitFor()
    expect(await form.textContent()).not.toContain('The bearer token is wrong.')
    await page.getByTestId('language').click()
    await form.getByRole('status').filter({ hasText: 'The token is wrong.' }).waitFor()
    // 401 is logged by Chromium as a failed resource load; nothing else may be.
    expect(problems.filter(problem => !problem.includes('401'))).toEqual([])
    await page.close()
  })

  it('runs next to the counting page in one browser without running out of connections', async () => {
    // One browser context: its tabs share the six HTTP/1.1 connections Chromium allows per origin.
    const context = await (await getBrowser()).newContext()
    const counting = await context.newPage()
    await counting.goto(url('/'), { waitUntil: 'networkidle' })
    await counting.getByTestId('toggle').click()
    // Five tabs of /live and one of /: fine while each page holds one stream, stuck if each held several.
    const lives = await Promise.all([1, 2, 3, 4, 5].map(async () => {
      const page = await context.newPage()
      await page.goto(url('/live'))
      await unfoldRawHistory(page)
      return page
    }))
    for (const page of lives) {
      await expect.poll(() => page.getByTestId('status').getAttribute('data-status')).toBe('open')
    }
    await counting.locator(`${history} [data-kind=message]`).nth(2).waitFor()
    await publish({ topic: 'broadcast', data: 'to every tab' })
    for (const page of lives) await page.locator(`${history} li`, { hasText: 'to every tab' }).waitFor()
    await context.close()
  })
})
