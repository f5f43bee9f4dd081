import { createPage } from '@nuxt/test-utils/e2e'
import { describe, expect, it } from 'vitest'
import { fitsWidth, pageProblems, screenshot } from '../support/page'
import { setupServer } from '../support/server'

// The demo feed, fast: a price and a log line every 150 ms, levels info, info, info, warn, error.
await setupServer({ NUXT_NOTIFY_DEMO_PUBLISHER: 'true', NUXT_NOTIFY_DEMO_INTERVAL_MS: '150' }, { browser: true })

describe('/live as the use cases look, in Chromium', () => {
  it('shows a card per ticker symbol with its last price, change and a sparkline', async () => {
    const page = await createPage('/live')
    const problems = pageProblems(page)
    const cards = page.getByTestId('ticker-card')
    await expect.poll(() => cards.count(), { timeout: 10_000 }).toBe(3)
    expect(await cards.evaluateAll(list => list.map(card => card.getAttribute('data-symbol')))).toEqual(['NITRO', 'NUXT', 'VUE'])
    const vue = page.locator('[data-testid=ticker-card][data-symbol=VUE]')
    // The demo starts VUE at 50 and moves it by at most 1% a tick.
    await expect.poll(async () => Number(await vue.getByTestId('ticker-price').textContent()), { timeout: 5000 }).toBeGreaterThan(20)
    expect(await vue.textContent()).toMatch(/[+-]?\d+\.\d\d \([+-]?\d+\.\d%\)/)
    // Several prices: the sparkline has as many points.
    await expect.poll(() => vue.locator('polyline').getAttribute('points').then(points => points?.split(' ').length ?? 0), { timeout: 10_000 }).toBeGreaterThanOrEqual(4)
    const price = await vue.getByTestId('ticker-price').textContent()
    await expect.poll(() => vue.getByTestId('ticker-price').textContent(), { timeout: 5000 }).not.toBe(price)
    expect(problems).toEqual([])
    await page.close()
  })

  it('tails the logs with levels in colour, filters levels, pauses without losing lines, follows the tail', async () => {
    const page = await createPage('/live')
    const problems = pageProblems(page)
    const lines = page.getByTestId('log-line')
    const level = (name: string) => page.locator(`[data-testid=log-line][data-level=${name}]`)
    await level('error').first().waitFor({ timeout: 10_000 })
    await level('warn').first().waitFor()
    await level('info').first().waitFor()
    const colours = await Promise.all(['info', 'warn', 'error'].map(name => level(name).first().evaluate(line => getComputedStyle(line).color)))
    expect(new Set(colours).size).toBe(3)

    // Level filter: without info, only warn and error lines are shown.
    await page.getByTestId('log-tail').getByRole('checkbox', { name: 'info' }).uncheck()
    await expect.poll(() => level('info').count(), { timeout: 5000 }).toBe(0)
    expect(await level('error').count()).toBeGreaterThan(0)
    await page.getByTestId('log-tail').getByRole('checkbox', { name: 'info' }).check()

    // Pause: the view holds still while lines keep arriving; resume shows them all.
    const pause = page.getByTestId('log-pause')
    await pause.click()
    const held = await lines.count()
    await expect.poll(() => pause.getAttribute('data-waiting').then(Number), { timeout: 5000 }).toBeGreaterThanOrEqual(3)
    expect(await lines.count()).toBe(held)
    const waiting = Number(await pause.getAttribute('data-waiting'))
    await pause.click()
    expect(await lines.count()).toBeGreaterThanOrEqual(held + waiting)

    // Follow the tail: the newest line is in view; scrolling up to read stops following.
    const list = page.getByTestId('log-lines')
    const gap = () => list.evaluate(element => element.scrollHeight - element.scrollTop - element.clientHeight)
    await expect.poll(() => list.evaluate(element => element.scrollHeight > element.clientHeight), { timeout: 10_000 }).toBe(true)
    await expect.poll(gap, { timeout: 5000 }).toBeLessThan(24)
    await list.evaluate((element) => {
      element.scrollTop = 0
    })
    await expect.poll(() => page.getByTestId('log-follow').isChecked(), { timeout: 5000 }).toBe(false)
    await page.waitForTimeout(500)
    expect(await list.evaluate(element => element.scrollTop)).toBe(0)
    await page.getByTestId('log-follow').check()
    await expect.poll(gap, { timeout: 5000 }).toBeLessThan(24)

    // The raw history is still there, folded.
    const raw = page.getByTestId('raw-history')
    expect(await raw.evaluate(element => (element as HTMLDetailsElement).open)).toBe(false)
    await raw.locator('summary').click()
    await raw.locator('[data-kind=message]', { hasText: '[ticker]' }).first().waitFor()
    expect(problems).toEqual([])
    await page.close()
  })

  it('reads in light, dark and at a phone\'s 390 px', async () => {
    const page = await createPage('/live')
    await expect.poll(() => page.getByTestId('ticker-card').count(), { timeout: 10_000 }).toBe(3)
    await expect.poll(() => page.getByTestId('log-line').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(12)
    // In English: this machine's Chromium may have no CJK font to draw the default Chinese with.
    await page.getByTestId('language').click()
    await screenshot(page, 'live-light')
    await page.emulateMedia({ colorScheme: 'dark' })
    await screenshot(page, 'live-dark')
    await page.setViewportSize({ width: 390, height: 844 })
    await expect.poll(() => fitsWidth(page), { timeout: 5000 }).toBe(true)
    await screenshot(page, 'live-390')
    await page.close()
  })
})
