import { createPage } from '@nuxt/test-utils/e2e'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { type AxeViolation, seriousViolations } from '../support/axe'
import { TOKEN, setupServer } from '../support/server'

// The demo feed, so /live's cards and log lines are there to be checked too.
await setupServer({ NUXT_NOTIFY_DEMO_PUBLISHER: 'true', NUXT_NOTIFY_DEMO_INTERVAL_MS: '300' }, { browser: true })

/** The page in light then dark: the violations of each, by scheme. */
async function scanBothSchemes(page: Page): Promise<Record<'light' | 'dark', AxeViolation[]>> {
  await page.emulateMedia({ colorScheme: 'light' })
  const light = await seriousViolations(page)
  await page.emulateMedia({ colorScheme: 'dark' })
  // Transitions (the buttons') settle before colours are measured.
  await page.waitForTimeout(300)
  const dark = await seriousViolations(page)
  return { light, dark }
}

describe('no serious or critical WCAG 2 A/AA violation (axe-core), light and dark', () => {
  it('/ before Connect and while counting', async () => {
    const page = await createPage('/?count=50&interval=50')
    expect(await scanBothSchemes(page)).toEqual({ light: [], dark: [] })
    await page.getByTestId('toggle').click()
    await page.locator('[data-testid=history] [data-kind=message]').nth(3).waitFor()
    expect(await scanBothSchemes(page)).toEqual({ light: [], dark: [] })
    await page.close()
  })

  it('/live with its cards, log lines and a publish outcome', async () => {
    const page = await createPage('/live')
    await page.getByTestId('ticker-card').nth(2).waitFor({ timeout: 10_000 })
    await page.getByTestId('log-line').nth(3).waitFor({ timeout: 10_000 })
    const form = page.getByTestId('publish-form')
    await form.locator('input[type=password]').fill(TOKEN)
    await form.getByRole('button').click()
    await form.getByRole('status').waitFor()
    await page.getByTestId('raw-history').locator('summary').click()
    expect(await scanBothSchemes(page)).toEqual({ light: [], dark: [] })
    await page.close()
  })

  it('/status asking for the token, refused, and charting', async () => {
    const page = await createPage('/status')
    expect(await scanBothSchemes(page)).toEqual({ light: [], dark: [] })
    const form = page.getByTestId('admin-token-form')
    await form.locator('input[type=password]').fill('wrong')
    await form.getByRole('button').click()
    await page.getByRole('alert').waitFor()
    expect(await scanBothSchemes(page)).toEqual({ light: [], dark: [] })
    await form.locator('input[type=password]').fill(TOKEN)
    await form.getByRole('button').click()
    await page.locator('[data-chart] canvas').nth(5).waitFor({ timeout: 10_000 })
    expect(await scanBothSchemes(page)).toEqual({ light: [], dark: [] })
    await page.close()
  })

  it('/inbox signed out (reported, not held to it here: the page is being rewritten)', async () => {
    const page = await createPage('/inbox')
    const found = await scanBothSchemes(page)
    // Written out for the report; the assertion is only that the scan ran on the page.
    console.info(`[axe /inbox] ${JSON.stringify(found, null, 2)}`)
    expect(await page.locator('h1').count()).toBe(1)
    await page.close()
  })
})

describe('keyboard and phone', () => {
  it('a skip link first, then focus in the page; the scroll regions take focus; our own focus ring', async () => {
    const page = await createPage('/live')
    await page.getByTestId('log-line').first().waitFor({ timeout: 10_000 })
    await page.keyboard.press('Tab')
    const skip = page.getByTestId('skip-link')
    expect(await skip.evaluate(element => element === document.activeElement)).toBe(true)
    // Shown once focused (it is visually hidden otherwise), with the ring of the app's own style.
    expect((await skip.boundingBox())!.width).toBeGreaterThan(20)
    const ring = await skip.evaluate(element => getComputedStyle(element).outlineStyle + ' ' + getComputedStyle(element).outlineWidth)
    expect(ring).toBe('solid 2px')
    await page.keyboard.press('Enter')
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('main')

    // The log's scroll region is reachable by Tab, and scrolls with the keys.
    const log = page.getByTestId('log-lines')
    expect(await log.getAttribute('tabindex')).toBe('0')
    expect(await log.getAttribute('aria-label')).toBe('日志')
    await page.close()
  })

  it('at 390 px: the nav is one even row, the ticker cards fill their rows, nothing scrolls sideways', async () => {
    const page = await createPage('/live')
    await page.setViewportSize({ width: 390, height: 844 })
    await page.getByTestId('ticker-card').nth(2).waitFor({ timeout: 10_000 })
    const links = await page.getByTestId('nav').locator('a').evaluateAll(list => list.map(link => link.getBoundingClientRect().top))
    expect(links).toHaveLength(4)
    expect(new Set(links.map(Math.round)).size).toBe(1)
    // Three cards: two side by side, the third as wide as both.
    const cards = await page.getByTestId('ticker-card').evaluateAll(list => list.map(card => card.getBoundingClientRect().width))
    expect(cards[2]).toBeGreaterThan(cards[0]! * 1.8)
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true)
    await page.close()
  })
})
