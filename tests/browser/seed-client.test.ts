import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { getBrowser, url } from '@nuxt/test-utils/e2e'
import { afterAll, describe, expect, it } from 'vitest'
import { rootDir, setupServer } from '../support/server'

// A short retry hint, so a browser that reconnects after the end does so within the test.
await setupServer({ NUXT_NOTIFY_RETRY_MS: '200' }, { browser: true })

/** Serves the seed's client page from a second origin, as the seed ran it (a Vue dev server). */
async function serveSeedClient(): Promise<{ origin: string, server: Server }> {
  const files: Record<string, [string, string]> = {
    '/': [`${rootDir}tests/fixtures/seed-client.html`, 'text/html; charset=utf-8'],
    '/vue.global.prod.js': [`${rootDir}node_modules/vue/dist/vue.global.prod.js`, 'text/javascript'],
  }
  const server = createServer(async (req, res) => {
    const file = files[new URL(req.url ?? '/', 'http://x').pathname]
    if (!file) return res.writeHead(404).end()
    res.writeHead(200, { 'content-type': file[1] }).end(await readFile(file[0]))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }
}

const seed = await serveSeedClient()
afterAll(() => new Promise(resolve => seed.server.close(resolve)))

describe('the seed document\'s own Vue client', () => {
  it('reads /notify/stream cross-origin: JSON on every message, customEvent, then the end', async () => {
    const page = await (await getBrowser()).newPage()
    const pageErrors: string[] = []
    page.on('pageerror', error => pageErrors.push(error.message))
    const stream = url('/notify/stream?count=12&interval=20')
    expect(new URL(stream).origin).not.toBe(seed.origin)
    await page.goto(`${seed.origin}/?stream=${encodeURIComponent(stream)}`)
    await page.getByRole('button', { name: '建立连接' }).click()

    // The server ends the response after the last message; the seed's onerror then closes for good.
    await page.locator('li', { hasText: 'SSE 连接异常,已断开' }).waitFor()
    await page.waitForTimeout(500)
    const items = await page.evaluate(() => (window as unknown as { __messages: { value: unknown[] } }).__messages.value)
    const counts = items.filter((item): item is { count: number } => typeof item === 'object' && item !== null).map(item => item.count)
    expect(counts).toEqual(Array.from({ length: 12 }, (_, i) => i + 1))
    expect(items).toContain('已建立 SSE 连接')
    expect(items).toContain('自定义事件:{"count":10,"total":12}')
    // JSON.parse never threw: no uncaught error on the page.
    expect(pageErrors).toEqual([])
    await page.close()
  })
  it('a bare EventSource that keeps reconnecting gets 204 after the end and stops: the count never restarts', async () => {
    const page = await (await getBrowser()).newPage()
    await page.goto(`${seed.origin}/?stream=none`)
    const outcome = await page.evaluate(source => new Promise<{ ids: string[], readyState: number }>((resolve) => {
      const es = new EventSource(source)
      const ids: string[] = []
      es.onmessage = event => ids.push(event.lastEventId)
      setTimeout(() => resolve({ ids, readyState: es.readyState }), 2500)
    }), url('/notify/stream?count=5&interval=20'))
    expect(outcome.ids).toEqual(['1', '2', '3', '4', '5'])
    expect(outcome.readyState).toBe(2)
    await page.close()
  })
})
