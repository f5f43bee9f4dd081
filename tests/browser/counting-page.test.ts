import { createPage } from '@nuxt/test-utils/e2e'
import { describe, expect, it } from 'vitest'
import { pageProblems } from '../support/page'
import { setupServer } from '../support/server'

await setupServer({}, { browser: true })

describe('the counting page in Chromium', () => {
  it('connects, shows messages as they arrive, disconnects, and then nothing more arrives', async () => {
    const page = await createPage('/')
    const problems = pageProblems(page)

    const toggle = page.getByTestId('toggle')
    await expect.poll(() => toggle.textContent()).toContain('建立连接')
    await expect.poll(() => page.getByTestId('status').getAttribute('data-status')).toBe('idle')
    await toggle.click()

    const messages = page.locator('[data-testid=history] [data-kind=message]')
    await messages.nth(2).waitFor({ timeout: 5000 })
    await expect.poll(() => page.locator('[data-testid=history] [data-kind=open]').count()).toBe(1)
    await expect.poll(() => messages.first().textContent()).toContain('这是第1次发送的SSE数据')
    await expect.poll(() => page.getByTestId('status').getAttribute('data-status')).toBe('open')
    await expect.poll(() => page.getByTestId('progress').textContent()).toMatch(/\/ 200/)
    await expect.poll(() => toggle.textContent()).toContain('断开连接')
    // The history is no live region (five rows a second would all be read out); the status is, politely.
    expect(await page.getByTestId('history').getAttribute('aria-live')).toBeNull()
    expect(await page.getByTestId('status').getAttribute('role')).toBe('status')

    await toggle.click()
    await expect.poll(() => page.getByTestId('status').getAttribute('data-status')).toBe('closed')
    await expect.poll(() => toggle.textContent()).toContain('建立连接')
    const countAtClose = await messages.count()
    await page.waitForTimeout(1000)
    expect(await messages.count()).toBe(countAtClose)
    await expect.poll(() => page.locator('[data-testid=history] [data-kind=close]').last().textContent()).toContain('已断开 SSE 连接')

    // Connecting again resumes after the last message seen (?lastEventId=): the count goes on, never from 1.
    await toggle.click()
    await messages.nth(countAtClose).waitFor({ timeout: 5000 })
    await expect.poll(() => messages.nth(countAtClose).textContent()).toContain(`这是第${countAtClose + 1}次发送的SSE数据`)
    expect(await messages.filter({ hasText: '这是第1次发送的SSE数据' }).count()).toBe(1)
    await toggle.click()
    expect(problems).toEqual([])
    await page.close()
  })

  it('switches to English and back in one click', async () => {
    const page = await createPage('/')
    await page.getByTestId('language').click()
    await expect.poll(() => page.getByTestId('toggle').textContent()).toContain('Connect')
    await page.getByTestId('language').click()
    await expect.poll(() => page.getByTestId('toggle').textContent()).toContain('建立连接')
    await page.close()
  })
})
