import { createPage } from '@nuxt/test-utils/e2e'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { setupServer } from '../support/server'

await setupServer({}, { browser: true })

/** Makes the page's document hidden or visible, as switching tabs does, and says so. */
async function setVisibility(page: Page, visibility: 'hidden' | 'visible') {
  await page.evaluate((state) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state })
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => state === 'hidden' })
    document.dispatchEvent(new Event('visibilitychange'))
  }, visibility)
}

describe('the live page\'s server stats', () => {
  it('are polled every 5 s while shown, not at all while hidden, and at once when shown again', async () => {
    const page = await createPage('/live')
    const asked: number[] = []
    page.on('request', request => new URL(request.url()).pathname === '/api/notify/stats' && asked.push(Date.now()))
    await page.getByTestId('stats').waitFor({ timeout: 5000 })

    const polled = asked.length
    await expect.poll(() => asked.length, { timeout: 7000, message: 'a poll within 5 s (+2 s slack)' }).toBeGreaterThan(polled)

    await setVisibility(page, 'hidden')
    const hiddenAt = asked.length
    await page.waitForTimeout(6000)
    expect(asked.length, 'no request while hidden for longer than the 5 s interval').toBe(hiddenAt)

    const shownAt = Date.now()
    await setVisibility(page, 'visible')
    await expect.poll(() => asked.length, { timeout: 1000, message: 'a request right after being shown' }).toBeGreaterThan(hiddenAt)
    expect(asked.at(-1)! - shownAt).toBeLessThan(1000)
    await page.close()
  })
})
