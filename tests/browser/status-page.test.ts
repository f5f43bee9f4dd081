import { createPage } from '@nuxt/test-utils/e2e'
import { describe, expect, it } from 'vitest'
import { fitsWidth, pageProblems, screenshot } from '../support/page'
import { TOKEN, setupServer } from '../support/server'
import { openSse } from '../support/sse'

const { publish } = await setupServer({ NUXT_NOTIFY_HEARTBEAT_MS: '60000' }, { browser: true })

describe('the status page in Chromium', () => {
  it('asks for the admin token, then charts this instance live, second by second', async () => {
    const page = await createPage('/status')
    const problems = pageProblems(page)
    const form = page.getByTestId('admin-token-form')

    await form.locator('input[type=password]').fill('wrong')
    await form.getByRole('button').click()
    // In the page's language: the refusal's code translated, not the server's English message.
    await page.getByRole('alert').filter({ hasText: '管理令牌不正确。' }).waitFor()

    await form.locator('input[type=password]').fill(TOKEN)
    await form.getByRole('button').click()
    await expect.poll(() => page.getByTestId('status').getAttribute('data-status'), { timeout: 10_000 }).toBe('open')
    // Six charts, each a canvas uPlot drew into.
    await expect.poll(() => page.locator('[data-chart] canvas').count(), { timeout: 10_000 }).toBe(6)
    const points = () => page.locator('[data-chart=streams] [data-testid=chart]').getAttribute('data-points').then(Number)
    await expect.poll(points, { timeout: 10_000 }).toBeGreaterThanOrEqual(2)
    // Nothing published yet: the latency chart says so; the others have values. The bus in words.
    expect(await page.locator('[data-chart=latency] [data-testid=chart-empty]').textContent()).toContain('还没有数据')
    expect(await page.locator('[data-chart=streams] [data-testid=chart-empty]').count()).toBe(0)
    expect(await page.getByTestId('bus').textContent()).toContain('消息通道：内存（单实例） · 已连接')

    // The canvas changes as samples arrive: it is drawn again, not only the numbers beside it.
    const pixels = () => page.locator('[data-chart=published] canvas').evaluate(canvas => (canvas as HTMLCanvasElement).toDataURL())
    const drawn = await pixels()
    const tile = (key: string) => page.locator(`[data-tile=${key}] dd`).textContent().then(text => text?.trim())

    // The page's own stream is the one broadcast stream; one more from here shows within a second or two.
    expect(await tile('streams')).toBe('1 / 0')
    const extra = await openSse('/api/notify/events?topic=elsewhere')
    await expect.poll(() => tile('streams'), { timeout: 5000 }).toBe('2 / 0')

    // Publishes and their deliveries show up as rates, with a publish latency.
    for (let i = 0; i < 5; i++) await publish({ topic: 'elsewhere', data: { i } })
    await expect.poll(async () => Number(await tile('published')), { timeout: 5000 }).toBeGreaterThan(0)
    await expect.poll(async () => Number(await tile('latency')), { timeout: 5000 }).toBeGreaterThan(0)
    await expect.poll(pixels, { timeout: 5000 }).not.toBe(drawn)
    await expect.poll(() => page.locator('[data-chart=latency] [data-testid=chart-empty]').count(), { timeout: 5000 }).toBe(0)
    expect(await page.getByTestId('bus').getAttribute('data-connected')).toBe('true')
    extra.close()

    // Light, dark, and a phone's width: drawn, nothing to scroll sideways.
    await expect.poll(points, { timeout: 10_000 }).toBeGreaterThanOrEqual(5)
    // In English: this machine's Chromium may have no CJK font to draw the default Chinese with.
    await page.getByTestId('language').click()
    await screenshot(page, 'status-light')
    const background = () => page.evaluate(() => getComputedStyle(document.querySelector('#__nuxt > div')!).backgroundColor)
    const light = await background()
    await page.emulateMedia({ colorScheme: 'dark' })
    await expect.poll(background, { timeout: 5000 }).not.toBe(light)
    await page.waitForTimeout(300)
    await screenshot(page, 'status-dark')
    await page.setViewportSize({ width: 390, height: 844 })
    await expect.poll(() => fitsWidth(page), { timeout: 5000 }).toBe(true)
    await page.waitForTimeout(300)
    await screenshot(page, 'status-390')
    expect(await page.locator('[data-chart] canvas').count()).toBe(6)

    // The wrong token's 401 is logged by Chromium as a failed resource load; nothing else may be.
    expect(problems.filter(problem => !problem.includes('401'))).toEqual([])
    await page.close()
  })
})
