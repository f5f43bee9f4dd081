import type { BrowserContext, Page } from 'playwright-core'
import { getBrowser, url } from '@nuxt/test-utils/e2e'
import { afterAll, describe, expect, it } from 'vitest'
import { seriousViolations } from '../support/axe'
import { pageProblems, screenshot } from '../support/page'
import { setupServer } from '../support/server'
import { ACCESS_ENV } from '../support/tokens'

const app = await setupServer(ACCESS_ENV, { browser: true })

const contexts: BrowserContext[] = []
afterAll(() => Promise.all(contexts.map(context => context.close())))

/** A browser context of its own (a device: its own cookies) signed in as `name` on /inbox. */
async function device(name: string, options: { viewport?: { width: number, height: number }, colorScheme?: 'dark' | 'light' } = {}) {
  const context = await (await getBrowser()).newContext(options)
  contexts.push(context)
  const page = await context.newPage()
  const problems = pageProblems(page)
  // Every request the page makes of the inbox API, to see that a change arrives without one.
  const inboxRequests: string[] = []
  page.on('request', request => request.url().includes('/api/inbox') && inboxRequests.push(`${request.method()} ${new URL(request.url()).pathname}`))
  await page.goto(url('/inbox'), { waitUntil: 'networkidle' })
  await page.getByTestId('sign-in').locator('input[name=name]').fill(name)
  await page.getByTestId('sign-in').getByRole('button').click()
  await page.getByTestId('signed-in').filter({ hasText: name }).waitFor()
  return { page, problems, inboxRequests }
}

const items = (page: Page) => page.getByTestId('inbox-item')
const badge = (page: Page) => page.getByTestId('unread-count')
const tab = (page: Page, name: string | RegExp) => page.getByRole('tab', { name })

describe('the inbox across one person\'s devices, in Chromium', () => {
  it('marks one read on the first device: the second\'s badge drops within a second, with no request of its own', async () => {
    const laptop = await device('Alice')
    const phone = await device('Alice', { viewport: { width: 390, height: 844 } })
    for (const n of [1, 2, 3]) await app.publish({ topic: 'user:alice', data: { text: `note ${n}` } })
    for (const { page } of [laptop, phone]) {
      await expect.poll(() => items(page).count()).toBe(3)
      await expect.poll(() => badge(page).textContent()).toBe('3')
    }

    // Light mode, unread items: no serious or critical WCAG 2 A/AA violation either.
    expect(await seriousViolations(laptop.page)).toEqual([])

    // The list's first page again, once after the burst (the stream names no sender): done before the count below starts.
    await expect.poll(() => phone.inboxRequests.filter(request => request === 'GET /api/inbox').length).toBeGreaterThanOrEqual(2)
    phone.inboxRequests.length = 0
    const item = items(laptop.page).filter({ hasText: 'note 2' })
    await item.getByRole('button', { name: '标为已读' }).click()
    const clickedAt = Date.now()
    await expect.poll(() => badge(phone.page).textContent(), { timeout: 1000, interval: 20 }).toBe('2')
    const tookMs = Date.now() - clickedAt
    console.info(`the second device's badge dropped ${tookMs} ms after the click on the first`)
    // From the stream: the phone asked for no list or count (it only said what it showed was seen).
    expect(phone.inboxRequests.filter(request => !request.startsWith('POST /api/inbox/seen'))).toEqual([])
    // The list of the second device shows it read too, and the first's own badge agrees.
    await expect.poll(() => items(phone.page).filter({ hasText: 'note 2' }).getAttribute('data-unread')).toBe('false')
    expect(await badge(laptop.page).textContent()).toBe('2')

    // Archived on the phone: gone from the laptop's list, there in its Archived tab.
    await items(phone.page).filter({ hasText: 'note 3' }).getByRole('button', { name: '归档' }).click()
    await expect.poll(() => items(laptop.page).filter({ hasText: 'note 3' }).count()).toBe(0)
    await expect.poll(() => badge(laptop.page).textContent()).toBe('1')
    await tab(laptop.page, '已归档').click()
    await expect.poll(() => items(laptop.page).allTextContents()).toEqual([expect.stringContaining('note 3')])
    await items(laptop.page).first().getByRole('button', { name: '移回收件箱' }).click()
    await laptop.page.getByTestId('inbox-empty').filter({ hasText: '没有已归档的通知' }).waitFor()
    await expect.poll(() => badge(phone.page).textContent()).toBe('2')

    for (const person of [laptop, phone]) expect(person.problems).toEqual([])
  })

  it('has tabs a keyboard can use, pages older items, says who sent each and when in the page\'s language', async () => {
    const bo = await device('Bo', { viewport: { width: 390, height: 844 }, colorScheme: 'dark' })
    for (let n = 1; n <= 25; n++) await app.publish({ topic: 'user:bo', data: { text: `bo ${n}` } })
    await bo.page.reload({ waitUntil: 'networkidle' })
    await expect.poll(() => items(bo.page).count()).toBe(20)
    await bo.page.getByTestId('load-older').click()
    await expect.poll(() => items(bo.page).count()).toBe(25)
    await expect.poll(() => bo.page.getByTestId('load-older').count()).toBe(0)
    expect(await items(bo.page).last().textContent()).toContain('bo 1')
    // Shown, so seen; still unread.
    expect(await badge(bo.page).textContent()).toBe('25')
    expect(await items(bo.page).first().locator('time').textContent()).toMatch(/^(?:刚刚|1 分钟前)$/)
    expect(await items(bo.page).first().getByTestId('inbox-sender').textContent()).toBeTruthy()
    // Unread is said in words, not by a dot alone.
    expect(await items(bo.page).first().textContent()).toContain('未读')

    // WAI-ARIA tabs: one tab stop, arrow keys move and select.
    const unreadTab = tab(bo.page, /未读/)
    expect(await unreadTab.getAttribute('aria-selected')).toBe('true')
    expect(await tab(bo.page, '全部').getAttribute('tabindex')).toBe('-1')
    await unreadTab.focus()
    await bo.page.keyboard.press('ArrowRight')
    await expect.poll(() => tab(bo.page, '全部').getAttribute('aria-selected')).toBe('true')
    expect(await bo.page.evaluate(() => document.activeElement?.getAttribute('data-status'))).toBe('all')
    expect(await bo.page.getByRole('tabpanel').getAttribute('aria-labelledby')).toBe('inbox-tab-all')
    await bo.page.keyboard.press('End')
    await expect.poll(() => tab(bo.page, '已归档').getAttribute('aria-selected')).toBe('true')
    await bo.page.getByTestId('inbox-empty').waitFor()

    // No serious or critical WCAG 2 A/AA violation (axe-core) in the signed-in list, dark, at 390 px.
    await tab(bo.page, '全部').click()
    await expect.poll(() => items(bo.page).count()).toBe(20)
    expect(await seriousViolations(bo.page)).toEqual([])
    await tab(bo.page, '已归档').click()
    await bo.page.getByTestId('inbox-empty').waitFor()

    // Nothing wider than the phone's 390 px.
    expect(await bo.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)

    // In English, the same in its words.
    await bo.page.getByTestId('language').click()
    await tab(bo.page, 'All').click()
    await expect.poll(() => items(bo.page).first().locator('time').textContent()).toMatch(/^(?:just now|1 minute ago)$/)
    await items(bo.page).first().getByRole('button', { name: 'Mark read' }).waitFor()
    console.info(`screenshot: ${await screenshot(bo.page, 'inbox-390-dark')}`)
    expect(bo.problems).toEqual([])
  })
})
