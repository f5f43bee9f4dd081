import type { BrowserContext, Page } from 'playwright-core'
import { getBrowser, url } from '@nuxt/test-utils/e2e'
import { afterAll, describe, expect, it } from 'vitest'
import { pageProblems } from '../support/page'
import { TOKEN, setupServer } from '../support/server'
import { ACCESS_ENV } from '../support/tokens'

const app = await setupServer(ACCESS_ENV, { browser: true })
const publish = app.publish

const contexts: BrowserContext[] = []
afterAll(() => Promise.all(contexts.map(context => context.close())))

/**
 * A browser context of its own (its own cookies: a different person) signed in on /inbox. The
 * page's Notification is the browser's own; each one shown is also recorded, so the test can see it.
 */
async function signedIn(name: string): Promise<{ context: BrowserContext, page: Page, problems: string[] }> {
  const context = await (await getBrowser()).newContext()
  contexts.push(context)
  await context.grantPermissions(['notifications'], { origin: new URL(url('/')).origin })
  await context.addInitScript(() => {
    const shown: Array<{ title: string, body?: string }> = []
    Object.assign(window, { shownNotifications: shown })
    const Native = window.Notification
    window.Notification = class extends Native {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options)
        shown.push({ title, body: options?.body })
      }
    } as typeof Notification
  })
  const page = await context.newPage()
  const problems = pageProblems(page)
  await page.goto(url('/inbox'), { waitUntil: 'networkidle' })
  await page.getByTestId('sign-in').locator('input[name=name]').fill(name)
  await page.getByTestId('sign-in').getByRole('button').click()
  await page.getByTestId('signed-in').filter({ hasText: name }).waitFor()
  return { context, page, problems }
}

const items = (page: Page) => page.getByTestId('inbox-item')
const unreadBadge = (page: Page) => page.getByTestId('unread-count')
const tab = (page: Page, name: string) => page.getByRole('tab', { name })

describe('the inbox page in Chromium, two people', () => {
  it('shows each person only their own notifications, live, newest first, with an unread count that survives a reload', async () => {
    const alice = await signedIn('Alice')
    const bob = await signedIn('Bob')

    await publish({ topic: 'user:alice', data: { text: 'hello alice' } })
    await publish({ topic: 'user:bob', data: { text: 'hello bob' } })
    await items(alice.page).filter({ hasText: 'hello alice' }).waitFor()
    await items(bob.page).filter({ hasText: 'hello bob' }).waitFor()

    // Bob sends Alice one with the form (admin token), as on /live.
    const form = bob.page.getByTestId('send-form')
    await form.locator('input[name=token]').fill(TOKEN)
    await form.locator('input[name=user]').fill('Alice')
    await form.locator('input[name=text]').fill('from bob, by the form')
    await form.getByRole('button').click()
    await form.getByRole('status').filter({ hasText: '已发送' }).waitFor()
    await items(alice.page).first().filter({ hasText: 'from bob, by the form' }).waitFor()

    expect(await items(alice.page).allTextContents()).toEqual([expect.stringContaining('from bob, by the form'), expect.stringContaining('hello alice')])
    expect(await items(bob.page).allTextContents()).toEqual([expect.stringContaining('hello bob')])
    expect(await items(alice.page).first().locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/)
    await expect.poll(() => unreadBadge(alice.page).textContent()).toBe('2')
    await expect.poll(() => unreadBadge(bob.page).textContent()).toBe('1')

    // Reloaded: the list comes back from history, the count from what was (not) read.
    await alice.page.reload({ waitUntil: 'networkidle' })
    await expect.poll(() => items(alice.page).count()).toBe(2)
    await expect.poll(() => unreadBadge(alice.page).textContent()).toBe('2')

    await alice.page.getByTestId('mark-all-read').click()
    await expect.poll(() => unreadBadge(alice.page).count()).toBe(0)
    await alice.page.reload({ waitUntil: 'networkidle' })
    // Nothing unread now: the Unread tab says so, the All tab has both, read.
    await alice.page.getByTestId('inbox-empty').filter({ hasText: '没有未读通知' }).waitFor()
    await tab(alice.page, '全部').click()
    await expect.poll(() => items(alice.page).count()).toBe(2)
    expect(await unreadBadge(alice.page).count()).toBe(0)
    expect(await items(alice.page).first().getAttribute('data-unread')).toBe('false')

    // The header counts on every page, live.
    await alice.page.goto(url('/live'), { waitUntil: 'networkidle' })
    await publish({ topic: 'user:alice', data: { text: 'while on /live' } })
    await expect.poll(() => unreadBadge(alice.page).textContent()).toBe('1')
    // Bob's count is untouched by all of Alice's traffic.
    expect(await unreadBadge(bob.page).textContent()).toBe('1')

    for (const person of [alice, bob]) expect(person.problems).toEqual([])
  })

  it('shows a desktop notification when the tab is hidden and the permission was granted', async () => {
    const carol = await signedIn('Carol')
    await carol.page.getByText('桌面通知已开启').waitFor()
    // Headless Chromium reports every tab visible whatever is in front (another tab, a minimised
    // window: tried, it stays 'visible'), so the one thing set by hand is the page's visibility:
    // the permission, the Notification API and the stream are the browser's own.
    const setVisibility = (state: 'hidden' | 'visible') => carol.page.evaluate((value) => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => value })
      document.dispatchEvent(new Event('visibilitychange'))
    }, state)
    await setVisibility('hidden')

    await publish({ topic: 'user:carol', data: { text: 'ping while away' } })
    await expect.poll(() => carol.page.evaluate(() => (window as unknown as { shownNotifications: unknown[] }).shownNotifications))
      .toEqual([{ title: '新通知', body: 'ping while away' }])

    // Visible again: no desktop notification, only the list.
    await setVisibility('visible')
    await publish({ topic: 'user:carol', data: { text: 'ping while here' } })
    await items(carol.page).filter({ hasText: 'ping while here' }).waitFor()
    expect(await carol.page.evaluate(() => (window as unknown as { shownNotifications: unknown[] }).shownNotifications)).toHaveLength(1)
    expect(carol.problems).toEqual([])
  })
})
