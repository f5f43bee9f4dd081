/**
 * A stream that a middlebox silently stops (open, but nothing gets through) is noticed from the
 * missing heartbeats and replaced within 2.5 heartbeat intervals, without losing what was sent meanwhile.
 */
import { getBrowser, url } from '@nuxt/test-utils/e2e'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pageProblems, unfoldRawHistory } from '../support/page'
import { setupServer } from '../support/server'
import { startStallProxy } from '../support/stall-proxy'

const HEARTBEAT_MS = 1000
const { publish } = await setupServer({ NUXT_NOTIFY_HEARTBEAT_MS: String(HEARTBEAT_MS) }, { browser: true })
// The server starts in setupServer's beforeAll: the proxy after it.
let proxy: Awaited<ReturnType<typeof startStallProxy>>
beforeAll(async () => {
  proxy = await startStallProxy(url('/'))
})
afterAll(() => proxy?.close())

describe('a silently stalled stream', () => {
  it('is replaced within 2.5 heartbeats and resumes from its last id', async () => {
    const context = await (await getBrowser()).newContext()
    const page = await context.newPage()
    const problems = pageProblems(page)
    await page.goto(`${proxy.origin}/live`)
    await expect.poll(() => page.getByTestId('status').getAttribute('data-status'), { timeout: 15_000 }).toBe('open')
    await unfoldRawHistory(page)
    await publish({ topic: 'broadcast', data: 'stall-1' })
    await page.locator('[data-testid=history] li', { hasText: 'stall-1' }).waitFor({ timeout: 5000 })
    expect(proxy.streamRequests).toHaveLength(1)

    // At least one heartbeat through, so the silence is measured from a known last byte.
    await new Promise(resolve => setTimeout(resolve, HEARTBEAT_MS * 1.2))
    const [lastByteAt] = proxy.freezeStreams()
    const frozenAt = Date.now()
    // Published while the stream is dead: only a resume can bring it.
    await publish({ topic: 'broadcast', data: 'stall-2' })

    await expect.poll(() => proxy.streamRequests.length, { timeout: HEARTBEAT_MS * 5, interval: 20 }).toBe(2)
    const replacedAt = proxy.streamRequests[1]!
    const silentMs = replacedAt - lastByteAt!
    // Not before 2.5 intervals of silence (one late beat is no reason), and not much after.
    expect(silentMs).toBeGreaterThanOrEqual(HEARTBEAT_MS * 2.5 - 100)
    expect(replacedAt - frozenAt).toBeLessThanOrEqual(HEARTBEAT_MS * 2.5 + 300)
    await page.locator('[data-testid=history] li', { hasText: 'stall-2' }).waitFor({ timeout: 5000 })
    expect(await page.locator('[data-testid=history] li', { hasText: 'stall-2' }).count()).toBe(1)
    expect(await page.locator('[data-testid=history] li', { hasText: 'stall-1' }).count()).toBe(1)
    await expect.poll(() => page.getByTestId('status').getAttribute('data-status')).toBe('open')
    expect(await page.locator('[data-testid=history] [data-kind=error]').count()).toBe(1)
    expect(problems).toEqual([])
    console.info(`stalled stream: last byte to replacement request ${silentMs} ms (heartbeat ${HEARTBEAT_MS} ms), ${replacedAt - frozenAt} ms after the freeze`)
    await context.close()
  })
})
