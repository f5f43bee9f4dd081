/**
 * The shared stream on Node's own Web Locks and BroadcastChannel (the same APIs a browser has):
 * several composables in one process stand for several tabs. The browser version of these checks
 * is tests/browser/shared-stream.test.ts.
 */
import type { ServerResponse } from 'node:http'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { useEventStream } from '../../../composables/useEventStream'
import { supportsSharedStream } from '../../../composables/useEventStream/shared-stream'
import { startEventStream, startTestServer } from '../../support/sse-test-server'

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A tiny broadcast server: numbered events, replay after `lastEventId`, every open stream counted. */
async function hubServer() {
  const log: string[] = []
  const open = new Set<ServerResponse>()
  const started = await startTestServer((request, response, seen) => {
    startEventStream(response)
    const from = seen.url.searchParams.get('lastEventId')
    for (const id of from ? log.slice(Number(from)) : []) response.write(`id: ${id}\ndata: ${id}\n\n`)
    open.add(response)
    response.on('close', () => open.delete(response))
  })
  cleanups.push(started.close)
  return {
    ...started,
    open,
    publish() {
      const id = String(log.length + 1)
      log.push(id)
      for (const response of open) response.write(`id: ${id}\ndata: ${id}\n\n`)
    },
  }
}

function tab(url: string) {
  const scope = effectScope()
  const stream = scope.run(() => useEventStream<{ message: number }>(url, { transport: 'fetch' }))!
  const stop = () => scope.stop()
  cleanups.push(stop)
  return { ...stream, stop }
}

const received = (t: ReturnType<typeof tab>) => t.history.value.filter(entry => entry.kind === 'message').map(entry => entry.data)
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)
const wait = { timeout: 5000, interval: 10 }

describe('shared stream (Web Locks + BroadcastChannel)', () => {
  it('is available on this Node, as in browsers', () => {
    expect(supportsSharedStream()).toBe(true)
  })

  it('gives three tabs one connection; each gets every event once', async () => {
    const hub = await hubServer()
    const url = `${hub.origin}/events?three`
    const tabs = [tab(url), tab(url), tab(url)]
    await vi.waitFor(() => expect(tabs.map(t => t.status.value)).toEqual(['open', 'open', 'open']), wait)
    expect(hub.open.size).toBe(1)
    expect(tabs.map(t => t.leader.value).filter(Boolean)).toHaveLength(1)
    for (let i = 0; i < 20; i++) hub.publish()
    for (const t of tabs) await vi.waitFor(() => expect(received(t)).toEqual(range(1, 20)), wait)
    expect(hub.requests).toHaveLength(1)
  })

  it('hands over when the leader leaves during a burst: the next tab resumes from its last id, nothing lost or doubled', async () => {
    const hub = await hubServer()
    const url = `${hub.origin}/events?handoff`
    const tabs = [tab(url), tab(url), tab(url)]
    await vi.waitFor(() => expect(tabs.every(t => t.status.value === 'open')).toBe(true), wait)
    const first = tabs.find(t => t.leader.value)!
    const others = tabs.filter(t => t !== first)

    const burst = (async () => {
      for (let i = 0; i < 200; i++) {
        hub.publish()
        if (i % 10 === 0) await new Promise(resolve => setTimeout(resolve, 1))
      }
    })()
    await vi.waitFor(() => expect(received(first).length).toBeGreaterThan(50), wait)
    const left = performance.now()
    first.stop()
    await vi.waitFor(() => expect(others.some(t => t.leader.value && t.status.value === 'open')).toBe(true), wait)
    const handOffMs = performance.now() - left
    await burst
    for (const t of others) await vi.waitFor(() => expect(received(t)).toEqual(range(1, 200)), wait)
    // The new leader's stream, and one more if a tab was behind it (it then replays from that tab's id).
    expect(hub.requests.length).toBeGreaterThanOrEqual(2)
    expect(hub.requests.length).toBeLessThanOrEqual(3)
    expect(hub.requests[1]!.url.searchParams.get('lastEventId')).not.toBeNull()
    expect(handOffMs).toBeLessThan(1000)
    console.info(`shared stream hand-off (Node): ${handOffMs.toFixed(1)} ms`)
  })

  it('catches up a tab that joins later from what the leader relayed, without a new connection', async () => {
    const hub = await hubServer()
    const url = `${hub.origin}/events?late`
    const early = tab(url)
    await vi.waitFor(() => expect(early.status.value).toBe('open'), wait)
    hub.publish()
    hub.publish()
    await vi.waitFor(() => expect(received(early)).toEqual([1, 2]), wait)

    // A tab rendered (SSR) after event 1: it must get 2 and what follows, once each.
    const scope = effectScope()
    const late = scope.run(() => useEventStream<{ message: number }>(url, { transport: 'fetch', seed: { events: [{ event: 'message', data: 1, id: '1' }], lastEventId: '1' } }))!
    cleanups.push(() => scope.stop())
    await vi.waitFor(() => expect(late.status.value).toBe('open'), wait)
    hub.publish()
    await vi.waitFor(() => expect(late.history.value.filter(entry => entry.kind === 'message').map(entry => entry.data)).toEqual([1, 2, 3]), wait)
    expect(hub.requests).toHaveLength(1)
  })

  it('with shared: false every tab connects itself', async () => {
    const hub = await hubServer()
    const url = `${hub.origin}/events?own`
    const scope = effectScope()
    const streams = scope.run(() => [useEventStream(url, { transport: 'fetch', shared: false }), useEventStream(url, { transport: 'fetch', shared: false })])!
    cleanups.push(() => scope.stop())
    await vi.waitFor(() => expect(streams.map(s => s.status.value)).toEqual(['open', 'open']), wait)
    expect(hub.open.size).toBe(2)
  })
})
