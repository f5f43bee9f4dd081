import type { BrowserContext, Page } from 'playwright-core'
import { getBrowser, url } from '@nuxt/test-utils/e2e'
import { afterAll, describe, expect, it } from 'vitest'
import { userIdOf } from '../../shared/utils/notify'
import { seriousViolations } from '../support/axe'
import { pageProblems, screenshot } from '../support/page'
import { TOKEN, setupServer } from '../support/server'
import { ACCESS_ENV, publisherToken } from '../support/tokens'

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
    // What the answer says (delivered to Alice's one open tab), not an internal id; the text is cleared for the next one.
    await form.getByRole('status').filter({ hasText: '已发送，送达 1 个在线订阅者' }).waitFor()
    expect(await form.locator('input[name=text]').inputValue()).toBe('')
    expect(await form.locator('input[name=user]').inputValue()).toBe('Alice')
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

  it('signs in by keyboard with any name, focus on the heading; a real desktop button; new ones said once, politely; no axe violation', async () => {
    const context = await (await getBrowser()).newContext()
    contexts.push(context)
    const page = await context.newPage()
    const problems = pageProblems(page)
    await page.goto(url('/inbox'), { waitUntil: 'networkidle' })
    expect(await scanBothSchemes(page)).toEqual({ light: [], dark: [] })

    // A refusal in the page's language, by its code (not the server's English rule).
    const signIn = page.getByTestId('sign-in')
    await signIn.locator('input[name=name]').fill('x'.repeat(65))
    await signIn.getByRole('button').click()
    await signIn.getByRole('alert').filter({ hasText: '这个名字不能用' }).waitFor()
    console.info(`screenshot: ${await screenshot(page, 'inbox-signed-out-refused')}`)

    // Any display name; Enter signs in, and the focus goes to the inbox's heading, not the document's start.
    await signIn.locator('input[name=name]').fill('王小明')
    await signIn.locator('input[name=name]').press('Enter')
    await page.getByTestId('signed-in').filter({ hasText: '王小明' }).waitFor()
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('inbox-heading')

    // The desktop switch is a button, and looks like one (filled, not plain text).
    const desktop = page.getByRole('button', { name: '开启桌面通知' })
    expect(await desktop.evaluate(element => getComputedStyle(element).backgroundColor)).not.toBe('rgba(0, 0, 0, 0)')

    // Every text the announcer says, as the page changes it.
    const announcer = page.getByTestId('inbox-announcer')
    expect(await announcer.getAttribute('aria-live')).toBe('polite')
    await announcer.evaluate((element) => {
      const said: string[] = []
      Object.assign(window, { announced: said })
      new MutationObserver(() => {
        const text = element.textContent?.trim()
        if (text) said.push(text)
      }).observe(element, { childList: true, characterData: true, subtree: true })
    })
    const topic = `user:${userIdOf('王小明')}`
    await Promise.all([publish({ topic, data: { text: 'first' } }), publish({ topic, data: { text: 'second' } })])
    await expect.poll(() => items(page).count()).toBe(2)
    await expect.poll(() => announcer.textContent()).toBe('2 条新通知')
    // Said once, a summary; the list itself is in no live region (not read again on each change).
    await page.waitForTimeout(1000)
    expect(await page.evaluate(() => (window as unknown as { announced: string[] }).announced)).toEqual(['2 条新通知'])
    expect(await page.getByTestId('inbox').evaluate(list => list.closest('[aria-live], [role=status], [role=log], [role=alert]') === null)).toBe(true)

    // A backend's JWT names its sender (its subject): shown on the item that arrived live, no reload.
    const backend = await publisherToken(['user:*'], { sub: 'billing' })
    const sent = await app.publishRaw({ topic, data: { text: 'your invoice' } }, { authorization: `Bearer ${backend}` })
    expect(sent.status).toBe(200)
    await items(page).first().filter({ hasText: 'your invoice' }).getByTestId('inbox-sender').filter({ hasText: '来自 billing' }).waitFor()
    expect(await items(page).filter({ hasText: 'first' }).getByTestId('inbox-sender').textContent()).toBe('发送者未知')

    expect(await scanBothSchemes(page)).toEqual({ light: [], dark: [] })
    await page.emulateMedia({ colorScheme: 'light' })
    console.info(`screenshot: ${await screenshot(page, 'inbox-signed-in-light')}`)
    // The one console line: the browser's own note of the refused (400) sign-in above.
    expect(problems).toEqual([expect.stringContaining('status of 400')])
  })
})

/** The page in light then dark: the serious and critical WCAG 2 A/AA violations of each. */
async function scanBothSchemes(page: Page) {
  await page.emulateMedia({ colorScheme: 'light' })
  const light = await seriousViolations(page)
  await page.emulateMedia({ colorScheme: 'dark' })
  // Transitions (the buttons') settle before colours are measured.
  await page.waitForTimeout(300)
  const dark = await seriousViolations(page)
  return { light, dark }
}
