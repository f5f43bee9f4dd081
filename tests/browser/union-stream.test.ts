/**
 * One broadcast stream per browser, whatever its tabs show: a signed-in person's header (the inbox
 * plugin's `user:<id>` stream, on every page) and /live's topics share one union stream, in real
 * Chromium against the production server. The Node version is tests/unit/event-stream/union-stream.test.ts.
 */
import { getBrowser, url } from '@nuxt/test-utils/e2e'
import type { BrowserContext, Page } from 'playwright-core'
import { afterEach, describe, expect, it } from 'vitest'
import { closeLikeAPerson, pageProblems } from '../support/page'
import { setupServer } from '../support/server'
import { signIn } from '../support/session'
import { ACCESS_ENV } from '../support/tokens'

const { publish, stats } = await setupServer(ACCESS_ENV, { browser: true })

const contexts: BrowserContext[] = []
afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close()
  await expect.poll(broadcastStreams, { timeout: 10_000 }).toBe(0)
})

/** Streams of the broadcast route the server holds (admin stats: the token is sent). */
async function broadcastStreams(): Promise<number> {
  return (await stats()).connections.byRoute.broadcast ?? 0
}

interface Person {
  context: BrowserContext
  /** Open broadcast-stream requests by page: the one that holds the union is the leader's tab. */
  holders: Map<Page, number>
  /** When each broadcast-stream response arrived (ms), in order. */
  opened: number[]
}

/** A browser context of its own (its own cookies: a different person), signed in as `name`. */
async function person(name: string): Promise<Person> {
  const context = await (await getBrowser()).newContext()
  contexts.push(context)
  const cookie = await signIn(url('/').replace(/\/$/, ''), name)
  const [cookieName, ...value] = cookie.split('=')
  await context.addCookies([{ name: cookieName!, value: value.join('='), url: url('/') }])
  const holders = new Map<Page, number>()
  const opened: number[] = []
  const isStream = (address: string) => new URL(address).pathname === '/api/notify/events'
  context.on('request', (request) => {
    const page = request.frame().page()
    if (isStream(request.url())) holders.set(page, (holders.get(page) ?? 0) + 1)
  })
  context.on('response', response => isStream(response.url()) && opened.push(Date.now()))
  const done = (request: { url: () => string, frame: () => { page: () => Page } }) => {
    if (!isStream(request.url())) return
    const page = request.frame().page()
    holders.set(page, (holders.get(page) ?? 1) - 1)
  }
  context.on('requestfinished', done)
  context.on('requestfailed', done)
  return { context, holders, opened }
}

/** The tabs of one person: 4× /live, 2× /inbox, 2× /, each loaded and its header's inbox stream open. */
async function openTabs(someone: Person, mix: Record<string, number>): Promise<Record<string, Page[]>> {
  const tabs: Record<string, Page[]> = {}
  for (const [path, count] of Object.entries(mix)) {
    for (let i = 0; i < count; i++) {
      const page = await someone.context.newPage()
      await page.goto(url(path), { waitUntil: 'networkidle' })
      ;(tabs[path] ??= []).push(page)
    }
  }
  for (const page of tabs['/live'] ?? []) await expect.poll(() => liveStatus(page), { timeout: 15_000 }).toBe('open')
  return tabs
}

/** Stream connects so far, once a late second connect would have come (it follows the first within ~200 ms). */
async function settledConnects(someone: Person): Promise<number> {
  await new Promise(resolve => setTimeout(resolve, 1000))
  return someone.opened.length
}

const liveStatus = (page: Page) => page.getByTestId('status').getAttribute('data-status')
const unread = async (page: Page) => (await page.getByTestId('unread-count').count()) ? Number(await page.getByTestId('unread-count').textContent()) : 0

/** The numbers of the `<tag>-<n>` texts in `selector`, in order, repeats included. */
async function numbers(page: Page, selector: string, tag: string): Promise<number[]> {
  const texts = await page.locator(selector).allTextContents()
  return texts.flatMap(text => [...text.matchAll(new RegExp(`${tag}-(\\d+)`, 'g'))].map(match => Number(match[1])))
}
const onLive = (page: Page, tag: string) => numbers(page, '[data-testid=history] [data-kind=message]', tag)
/** The inbox lists newest first: in publish order here. */
const inInbox = async (page: Page, tag: string) => (await numbers(page, '[data-testid=inbox-item]', tag)).reverse()

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1)
const TOPICS = ['broadcast', 'ticker'] as const

describe('one union stream per browser: the header\'s inbox and /live\'s topics', () => {
  it('8 tabs (4× /live, 2× /inbox, 2× /) of one signed-in person: one broadcast stream, every tab gets each of its events once', async () => {
    const alice = await person('Ana')
    // First of the file: nothing was published to any topic yet (the cursors of /live and of the
    // header's inbox mean "from now"), and the page's two consumers still open one stream.
    const first = await openTabs(alice, { '/live': 1 })
    const connectsOnFirstLoad = await settledConnects(alice)
    expect(connectsOnFirstLoad).toBe(1)
    const tabs = await openTabs(alice, { '/live': 3, '/inbox': 2, '/': 2 })
    tabs['/live']!.unshift(...first['/live']!)
    const pages = Object.values(tabs).flat()
    const problems = pages.map(pageProblems)
    await expect.poll(broadcastStreams, { timeout: 10_000 }).toBe(1)

    const n = 5
    for (const i of range(n)) {
      for (const topic of TOPICS) await publish({ topic, data: `ana-${topic}-${i}` })
      await publish({ topic: 'user:ana', data: { text: `mine-${i}` } })
    }
    for (const page of tabs['/live']!) {
      for (const topic of TOPICS) await expect.poll(() => onLive(page, `ana-${topic}`), { timeout: 10_000 }).toEqual(range(n))
      // /live does not show the person's own topic: the union brings it, the page's consumer drops it.
      expect(await onLive(page, 'mine')).toEqual([])
    }
    for (const page of tabs['/inbox']!) await expect.poll(() => inInbox(page, 'mine'), { timeout: 10_000 }).toEqual(range(n))
    for (const page of pages) await expect.poll(() => unread(page), { timeout: 10_000 }).toBe(n)
    const streams = await broadcastStreams()
    expect(streams).toBe(1)
    expect(problems.flat()).toEqual([])
    console.info(`broadcast streams held by 4× /live + 2× /inbox + 2× / of one signed-in browser: ${streams}; stream connects of the first page load (header + /live): ${connectsOnFirstLoad}`)
  })

  it('closing the leader\'s tab during a burst of all three topics loses nothing and doubles nothing, in any tab', async () => {
    const bea = await person('Bea')
    const tabs = await openTabs(bea, { '/live': 4, '/inbox': 2, '/': 2 })
    await expect.poll(broadcastStreams, { timeout: 10_000 }).toBe(1)
    const leader = [...bea.holders].find(([, open]) => open > 0)![0]
    const others = Object.fromEntries(Object.entries(tabs).map(([path, pages]) => [path, pages.filter(page => page !== leader)]))

    const rounds = 40
    let round = 0
    const burst = (async () => {
      while (round < rounds) {
        round++
        for (const topic of TOPICS) await publish({ topic, data: `bea-${topic}-${round}` })
        await publish({ topic: 'user:bea', data: { text: `burst-${round}` } })
      }
    })()
    await expect.poll(() => round, { timeout: 10_000 }).toBeGreaterThan(10)
    const streamsBefore = bea.opened.length
    const { closingAt, goneAt } = await closeLikeAPerson(leader)
    await expect.poll(() => bea.opened.length, { timeout: 5000 }).toBeGreaterThan(streamsBefore)
    const handOffMs = bea.opened[streamsBefore]! - goneAt
    await burst

    for (const page of others['/live']!) {
      for (const topic of TOPICS) await expect.poll(() => onLive(page, `bea-${topic}`), { timeout: 15_000 }).toEqual(range(rounds))
    }
    for (const page of others['/inbox']!) await expect.poll(() => inInbox(page, 'burst'), { timeout: 15_000 }).toEqual(range(rounds))
    for (const page of Object.values(others).flat()) await expect.poll(() => unread(page), { timeout: 15_000 }).toBe(rounds)
    await expect.poll(broadcastStreams, { timeout: 5000 }).toBe(1)
    expect(handOffMs).toBeLessThan(1000)
    console.info(`leader tab (${new URL(leader.url()).pathname}) closed mid-burst (torn down ${goneAt - closingAt} ms after the close): the next leader's union stream answered ${handOffMs} ms after it was gone`)
  })

  it('with events published on the page\'s topics, a first page load (header + /live) makes one stream connect too', async () => {
    await publish({ topic: 'broadcast', data: 'eve-before' })
    await publish({ topic: 'user:eve', data: { text: 'eve-before' } })
    const eve = await person('Eve')
    await openTabs(eve, { '/live': 1 })
    expect(await settledConnects(eve)).toBe(1)
  })

  it('a second browser context is another person: its own stream, and never the first one\'s events', async () => {
    const [cleo, dan] = [await person('Cleo'), await person('Dan')]
    const cleoTabs = await openTabs(cleo, { '/live': 2, '/inbox': 1 })
    const danTabs = await openTabs(dan, { '/live': 2, '/inbox': 1 })
    await expect.poll(broadcastStreams, { timeout: 10_000 }).toBe(2)
    await publish({ topic: 'user:cleo', data: { text: 'cleo-1' } })
    await publish({ topic: 'broadcast', data: 'both-1' })
    await publish({ topic: 'user:dan', data: { text: 'dan-1' } })
    for (const page of [...cleoTabs['/live']!, ...danTabs['/live']!]) await expect.poll(() => onLive(page, 'both'), { timeout: 10_000 }).toEqual([1])
    await expect.poll(() => inInbox(cleoTabs['/inbox']![0]!, 'cleo'), { timeout: 10_000 }).toEqual([1])
    await expect.poll(() => inInbox(danTabs['/inbox']![0]!, 'dan'), { timeout: 10_000 }).toEqual([1])
    for (const page of Object.values(cleoTabs).flat()) {
      expect(await inInbox(page, 'dan')).toEqual([])
      await expect.poll(() => unread(page)).toBe(1)
    }
    for (const page of Object.values(danTabs).flat()) {
      expect(await inInbox(page, 'cleo')).toEqual([])
      await expect.poll(() => unread(page)).toBe(1)
    }
    expect(await onLive(cleoTabs['/live']![0]!, 'cleo')).toEqual([])
  })
})
