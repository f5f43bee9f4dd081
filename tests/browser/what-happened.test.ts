import { createPage } from '@nuxt/test-utils/e2e'
import { describe, expect, it } from 'vitest'
import { pageProblems } from '../support/page'
import { TOKEN, setupServer } from '../support/server'

// The demo feed, so /live's panels fill by themselves.
const { publish } = await setupServer({ NUXT_NOTIFY_DEMO_PUBLISHER: 'true', NUXT_NOTIFY_DEMO_INTERVAL_MS: '200' }, { browser: true })

describe('seeing what happened, in Chromium', () => {
  it('/: says how to start before Connect, that a run finished when it did, and that a next run is a new one', async () => {
    const page = await createPage('/?count=3&interval=100')
    const problems = pageProblems(page)
    const history = page.getByTestId('history')
    await expect.poll(() => history.textContent()).toContain('点击“建立连接”开始接收推送。')
    expect(await history.textContent()).not.toContain('等待服务器推送')

    await page.getByTestId('toggle').click()
    // The run of three ends: finished, not "disconnected".
    await expect.poll(() => page.getByTestId('status').getAttribute('data-status'), { timeout: 10_000 }).toBe('finished')
    expect(await page.getByTestId('status').textContent()).toContain('已完成')
    expect(await history.locator('[data-kind=message]').count()).toBe(3)

    await page.getByTestId('toggle').click()
    const newRun = history.locator('[data-new-run]')
    await newRun.waitFor({ timeout: 10_000 })
    expect(await newRun.textContent()).toContain('新的一轮推送开始')
    await expect.poll(() => history.locator('[data-kind=message]').count(), { timeout: 10_000 }).toBe(6)
    await expect.poll(() => page.getByTestId('status').getAttribute('data-status'), { timeout: 10_000 }).toBe('finished')
    // One new run marked: the first connect is an ordinary one.
    expect(await newRun.count()).toBe(1)
    expect(problems).toEqual([])
    await page.close()
  })

  it('/live: a publish shows in the broadcasts panel with "delivered to N"; Clear and unticking clear the panels; any log level filters', async () => {
    const page = await createPage('/live')
    const problems = pageProblems(page)
    await expect.poll(() => page.getByTestId('status').getAttribute('data-status'), { timeout: 10_000 }).toBe('open')

    const form = page.getByTestId('publish-form')
    await form.locator('input[type=password]').fill(TOKEN)
    await form.locator('textarea').fill('{"message": "大家好"}')
    await form.getByRole('button').click()
    // In the panel, unfolded, above the form; the answer says whom it reached, not the event's id.
    await page.getByTestId('broadcasts').getByTestId('broadcast').filter({ hasText: '大家好' }).waitFor()
    const outcome = form.getByRole('status')
    await outcome.filter({ hasText: '已发布，送达 1 个订阅者' }).waitFor()
    expect(await outcome.textContent()).not.toMatch(/\d{10,}-\d+/)

    // A level the demo never sends has its own box in the filter.
    await publish({ topic: 'logs', data: { level: 'fatal', line: 'the disk is on fire' } })
    const fatal = page.locator('[data-testid=log-line][data-level=fatal]')
    await fatal.waitFor()
    await page.getByTestId('log-tail').getByRole('checkbox', { name: 'fatal' }).uncheck()
    await expect.poll(() => fatal.count()).toBe(0)
    expect(await page.locator('[data-testid=log-line][data-level=info]').count()).toBeGreaterThan(0)

    // 清空历史 empties every panel (the log tail too, which keeps more than the history).
    await expect.poll(() => page.getByTestId('ticker-card').count(), { timeout: 10_000 }).toBe(3)
    await page.getByTestId('clear').click()
    expect(await page.getByTestId('broadcast').count()).toBe(0)
    expect(await page.locator('[data-testid=log-line][data-level=info]').count()).toBeLessThanOrEqual(1)
    await expect.poll(() => page.getByTestId('log-line').count(), { timeout: 10_000 }).toBeGreaterThan(0)

    // Unticking a topic clears its panel and says it is not subscribed.
    await page.getByRole('checkbox', { name: 'ticker' }).uncheck()
    await page.getByTestId('ticker-off').filter({ hasText: '未订阅 ticker 主题。' }).waitFor()
    expect(await page.getByTestId('ticker-card').count()).toBe(0)
    await page.getByRole('checkbox', { name: 'ticker' }).check()
    await expect.poll(() => page.getByTestId('ticker-card').count(), { timeout: 10_000 }).toBe(3)
    // The cards start over: no price from before the untick (a sparkline of few points).
    expect(problems).toEqual([])
    await page.close()
  })
})
