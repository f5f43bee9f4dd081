import { mountSuspended } from '@nuxt/test-utils/runtime'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createSSRApp, defineComponent, effectScope, h } from 'vue'
import { renderToString } from 'vue/server-renderer'
import { useEventStream } from '~/composables/useEventStream'
import { supportsSharedStream } from '~/composables/useEventStream/shared-stream'

/** A stand-in EventSource the test drives by hand, with the real readyState semantics. */
class FakeEventSource {
  static readonly CONNECTING = 0
  static readonly OPEN = 1
  static readonly CLOSED = 2
  static instances: FakeEventSource[] = []
  readyState = FakeEventSource.CONNECTING
  onopen: ((event: Event) => void) | null = null
  onmessage: ((event: MessageEvent) => void) | null = null
  onerror: ((event: Event) => void) | null = null
  private listeners = new Map<string, Array<(event: MessageEvent) => void>>()

  constructor(readonly url: string, readonly init?: EventSourceInit) {
    FakeEventSource.instances.push(this)
  }

  addEventListener(type: string, listener: (event: MessageEvent) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener])
  }

  close() {
    this.readyState = FakeEventSource.CLOSED
  }

  // Driving it:
  open() {
    this.readyState = FakeEventSource.OPEN
    this.onopen?.(new Event('open'))
  }

  emit(data: string, options: { event?: string, id?: string } = {}) {
    const event = new MessageEvent(options.event ?? 'message', { data, lastEventId: options.id ?? '' })
    if (!options.event) this.onmessage?.(event)
    else for (const listener of this.listeners.get(options.event) ?? []) listener(event)
  }

  /** A dropped connection the browser retries by itself (readyState CONNECTING), or gives up on (CLOSED). */
  fail(browserGivesUp: boolean) {
    this.readyState = browserGivesUp ? FakeEventSource.CLOSED : FakeEventSource.CONNECTING
    this.onerror?.(new Event('error'))
  }
}

const latest = () => FakeEventSource.instances.at(-1)!

beforeEach(() => {
  FakeEventSource.instances = []
  vi.stubGlobal('EventSource', FakeEventSource)
})
afterEach(() => {
  vi.unstubAllGlobals()
  vi.useRealTimers()
})

function inScope<T>(create: () => T) {
  const scope = effectScope()
  const result = scope.run(create)!
  return { ...result, stop: () => scope.stop() }
}

describe('useEventStream', () => {
  it('opens, records open, messages (parsed JSON or raw text) and named events in order', () => {
    const stream = inScope(() => useEventStream<{ count: number }>('/api/x', { events: ['customEvent'] }))
    expect(stream.status.value).toBe('connecting')
    latest().open()
    expect(stream.status.value).toBe('open')
    latest().emit('{"count":1}', { id: '1' })
    latest().emit('plain text, not JSON', { id: '2' })
    latest().emit('{"count":10}', { event: 'customEvent' })
    expect(stream.data.value).toBe('plain text, not JSON')
    expect(stream.lastEventId.value).toBe('2')
    expect(stream.history.value.map(entry => [entry.kind, entry.event, entry.data])).toEqual([
      ['open', undefined, undefined],
      ['message', 'message', { count: 1 }],
      ['message', 'message', 'plain text, not JSON'],
      ['event', 'customEvent', { count: 10 }],
    ])
    expect(stream.history.value.every(entry => typeof entry.at === 'number')).toBe(true)
    stream.stop()
  })

  it('keeps every message of a burst, repeats included', () => {
    const stream = inScope(() => useEventStream('/api/x'))
    latest().open()
    for (let i = 0; i < 50; i++) latest().emit('"same"')
    expect(stream.history.value.filter(entry => entry.kind === 'message')).toHaveLength(50)
    stream.stop()
  })

  it('says reconnecting, not closed, while the browser retries, and resets on reopen', () => {
    const stream = inScope(() => useEventStream('/api/x'))
    latest().open()
    latest().fail(false)
    expect(stream.status.value).toBe('reconnecting')
    expect(stream.error.value).toBeInstanceOf(Event)
    expect(FakeEventSource.instances).toHaveLength(1)
    latest().open()
    expect(stream.status.value).toBe('open')
    expect(stream.error.value).toBeUndefined()
    expect(stream.history.value.map(entry => entry.kind)).toEqual(['open', 'error', 'open'])
    stream.stop()
  })

  it('reconnects itself with backoff when the browser gives up, resuming from the last id, then gives up after `retries`', () => {
    vi.useFakeTimers()
    const stream = inScope(() => useEventStream('/api/x?topic=a', { reconnect: { retries: 2, delay: 100, maxDelay: 1000 } }))
    latest().open()
    latest().emit('1', { id: '41' })
    latest().fail(true)
    expect(stream.status.value).toBe('reconnecting')
    vi.advanceTimersByTime(100)
    expect(FakeEventSource.instances).toHaveLength(2)
    expect(latest().url).toBe('/api/x?topic=a&lastEventId=41')
    latest().fail(true)
    vi.advanceTimersByTime(200)
    expect(FakeEventSource.instances).toHaveLength(3)
    latest().fail(true)
    expect(stream.status.value).toBe('closed')
    vi.advanceTimersByTime(10_000)
    expect(FakeEventSource.instances).toHaveLength(3)
    expect(stream.history.value.at(-1)).toMatchObject({ kind: 'close', reason: 'gave-up' })
    stream.stop()
  })

  it('treats done as a clean end: closed, no reconnect, and the next open starts afresh', () => {
    vi.useFakeTimers()
    const stream = inScope(() => useEventStream('/api/x'))
    latest().open()
    latest().emit('{"count":3}', { id: '3' })
    latest().emit('{"total":3}', { event: 'done' })
    expect(stream.status.value).toBe('closed')
    expect(latest().readyState).toBe(FakeEventSource.CLOSED)
    vi.advanceTimersByTime(60_000)
    expect(FakeEventSource.instances).toHaveLength(1)
    expect(stream.history.value.map(entry => entry.kind)).toEqual(['open', 'message', 'event', 'close'])
    stream.open()
    expect(latest().url).toBe('/api/x')
    stream.stop()
  })

  it('close() stops it and toggle() resumes from the last id', () => {
    const stream = inScope(() => useEventStream('/api/x', { immediate: false }))
    expect(stream.status.value).toBe('idle')
    expect(FakeEventSource.instances).toHaveLength(0)
    stream.toggle()
    latest().open()
    latest().emit('{}', { id: '7' })
    stream.toggle()
    expect(stream.status.value).toBe('closed')
    expect(latest().readyState).toBe(FakeEventSource.CLOSED)
    expect(stream.history.value.at(-1)).toMatchObject({ kind: 'close', reason: 'closed-by-client' })
    stream.toggle()
    expect(latest().url).toBe('/api/x?lastEventId=7')
    stream.stop()
  })

  it('bounds the history to historyLimit, dropping the oldest', () => {
    const stream = inScope(() => useEventStream('/api/x', { historyLimit: 5 }))
    latest().open()
    for (let i = 1; i <= 8; i++) latest().emit(String(i))
    expect(stream.history.value.map(entry => entry.data)).toEqual([4, 5, 6, 7, 8])
    stream.stop()
  })

  it('passes withCredentials and never throws on bad data with a custom parse', () => {
    const stream = inScope(() => useEventStream('/api/x', { withCredentials: true, parse: raw => raw.toUpperCase() }))
    expect(latest().init).toEqual({ withCredentials: true })
    latest().open()
    latest().emit('{not json')
    expect(stream.data.value).toBe('{NOT JSON')
    stream.stop()
  })

  it('closes the EventSource when its scope is disposed', () => {
    const stream = inScope(() => useEventStream('/api/x'))
    latest().open()
    stream.stop()
    expect(latest().readyState).toBe(FakeEventSource.CLOSED)
  })

  it('closes on unmount, and opens only once mounted inside a component', async () => {
    let stream!: ReturnType<typeof useEventStream>
    const component = defineComponent({
      setup() {
        stream = useEventStream('/api/x')
        return () => h('span', stream.status.value)
      },
    })
    const wrapper = await mountSuspended(component)
    expect(FakeEventSource.instances).toHaveLength(1)
    wrapper.unmount()
    expect(latest().readyState).toBe(FakeEventSource.CLOSED)
  })

  it('is a no-op during SSR: no EventSource, and the server renders idle as the client first does', async () => {
    const component = defineComponent({
      setup() {
        const { status } = useEventStream('/api/x')
        return () => h('span', status.value)
      },
    })
    const html = await renderToString(createSSRApp(component))
    expect(html).toBe('<span>idle</span>')
    expect(FakeEventSource.instances).toHaveLength(0)
  })

  it('does nothing where EventSource does not exist', () => {
    vi.stubGlobal('EventSource', undefined)
    const stream = inScope(() => useEventStream('/api/x'))
    expect(stream.status.value).toBe('idle')
    stream.open()
    expect(stream.status.value).toBe('idle')
    stream.stop()
  })

  it('never records the heartbeat event, and replaces a stream silent for 2.5 heartbeats from its last id', () => {
    vi.useFakeTimers()
    const stream = inScope(() => useEventStream('/api/x?heartbeat=event', { heartbeat: 1000 }))
    latest().open()
    latest().emit('{"n":1}', { id: '5' })
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(1000)
      latest().emit('{}', { event: 'heartbeat' })
    }
    expect(FakeEventSource.instances).toHaveLength(1)
    expect(stream.history.value.map(entry => entry.kind)).toEqual(['open', 'message'])
    vi.advanceTimersByTime(2499)
    expect(FakeEventSource.instances).toHaveLength(1)
    vi.advanceTimersByTime(1)
    expect(FakeEventSource.instances).toHaveLength(2)
    expect(FakeEventSource.instances[0]!.readyState).toBe(FakeEventSource.CLOSED)
    expect(latest().url).toBe('/api/x?heartbeat=event&lastEventId=5')
    expect(stream.history.value.at(-1)).toMatchObject({ kind: 'error', reason: 'stalled' })
    expect(stream.status.value).toBe('reconnecting')
    stream.stop()
  })

  it('on `renew` reconnects at once with a fresh URL token, from the last id, recording no error', async () => {
    const tokens = ['first', 'second']
    const stream = inScope(() => useEventStream('/api/x', { transport: 'eventsource', token: () => tokens.shift()! }))
    await vi.waitFor(() => expect(FakeEventSource.instances).toHaveLength(1))
    expect(latest().url).toBe('/api/x?access_token=first')
    latest().open()
    latest().emit('1', { id: '1' })
    latest().emit('{"reason":"token-expired"}', { event: 'renew' })
    await vi.waitFor(() => expect(FakeEventSource.instances).toHaveLength(2))
    expect(latest().url).toBe('/api/x?lastEventId=1&access_token=second')
    expect(FakeEventSource.instances[0]!.readyState).toBe(FakeEventSource.CLOSED)
    latest().open()
    expect(stream.history.value.map(entry => entry.kind)).toEqual(['open', 'message', 'open'])
    stream.stop()
  })

  it('says offline when the browser does, and reconnects the moment it is online again', () => {
    vi.useFakeTimers()
    const stream = inScope(() => useEventStream('/api/x'))
    latest().open()
    latest().emit('1', { id: '3' })
    window.dispatchEvent(new Event('offline'))
    expect(stream.status.value).toBe('offline')
    expect(latest().readyState).toBe(FakeEventSource.CLOSED)
    vi.advanceTimersByTime(60_000)
    expect(FakeEventSource.instances).toHaveLength(1)
    window.dispatchEvent(new Event('online'))
    expect(FakeEventSource.instances).toHaveLength(2)
    expect(latest().url).toBe('/api/x?lastEventId=3')
    latest().open()
    expect(stream.status.value).toBe('open')
    stream.stop()
  })

  it('with pauseWhenHidden closes while the page is hidden and resumes from the last id when shown', () => {
    let visibility: DocumentVisibilityState = 'visible'
    vi.spyOn(document, 'visibilityState', 'get').mockImplementation(() => visibility)
    const stream = inScope(() => useEventStream('/api/x', { pauseWhenHidden: true }))
    latest().open()
    latest().emit('1', { id: '9' })
    visibility = 'hidden'
    document.dispatchEvent(new Event('visibilitychange'))
    expect(stream.status.value).toBe('paused')
    expect(latest().readyState).toBe(FakeEventSource.CLOSED)
    visibility = 'visible'
    document.dispatchEvent(new Event('visibilitychange'))
    expect(FakeEventSource.instances).toHaveLength(2)
    expect(latest().url).toBe('/api/x?lastEventId=9')
    stream.stop()
    vi.restoreAllMocks()
  })

  it('starts from a server-rendered seed: its events in the history at once, the stream resuming after its cursor', async () => {
    const seed = { events: [{ event: 'message', data: { n: 1 }, id: '10', at: 1000 }], lastEventId: '12' }
    const component = defineComponent({
      setup() {
        const { history } = useEventStream('/api/x', { seed })
        return () => h('ol', history.value.map(entry => h('li', `${entry.at}:${JSON.stringify(entry.data)}`)))
      },
    })
    expect(await renderToString(createSSRApp(component))).toBe('<ol><li>1000:{&quot;n&quot;:1}</li></ol>')
    const stream = inScope(() => useEventStream('/api/x', { seed }))
    expect(latest().url).toBe('/api/x?lastEventId=12')
    latest().open()
    latest().emit('{"n":2}', { id: '13' })
    expect(stream.history.value.map(entry => entry.data)).toEqual([{ n: 1 }, undefined, { n: 2 }])
    stream.stop()
  })

  it('calls onEvent for every event of a burst, whatever the history keeps', () => {
    const seen: unknown[] = []
    const stream = inScope(() => useEventStream('/api/x', { historyLimit: 3, events: ['alert'], onEvent: entry => seen.push([entry.event, entry.data]) }))
    latest().open()
    for (let i = 1; i <= 100; i++) latest().emit(String(i), { id: String(i) })
    latest().emit('"!"', { event: 'alert' })
    expect(seen).toHaveLength(101)
    expect(seen.at(0)).toEqual(['message', 1])
    expect(seen.at(-1)).toEqual(['alert', '!'])
    expect(stream.history.value).toHaveLength(3)
    stream.stop()
  })

  it('exposes the EventSource itself as the escape hatch, and leads its own stream when not shared', () => {
    const stream = inScope(() => useEventStream('/api/x'))
    expect(stream.connection.value).toBeUndefined()
    latest().open()
    expect(stream.connection.value).toBe(latest())
    expect(stream.leader.value).toBe(true)
    stream.stop()
  })

  it('connects in every tab itself where Web Locks are missing (as here), shared or not', () => {
    expect(supportsSharedStream()).toBe(false)
    const one = inScope(() => useEventStream('/api/x', { shared: true }))
    const two = inScope(() => useEventStream('/api/x', { shared: true }))
    expect(FakeEventSource.instances).toHaveLength(2)
    expect([one.leader.value, two.leader.value]).toEqual([true, true])
    one.stop()
    two.stop()
  })

  it('replaces a browser retry that never opens, once 2.5 heartbeats have passed', () => {
    vi.useFakeTimers()
    const stream = inScope(() => useEventStream('/api/x', { heartbeat: 1000 }))
    latest().open()
    latest().emit('1', { id: '4' })
    latest().fail(false)
    vi.advanceTimersByTime(2499)
    expect(FakeEventSource.instances).toHaveLength(1)
    vi.advanceTimersByTime(1)
    expect(FakeEventSource.instances).toHaveLength(2)
    expect(latest().url).toBe('/api/x?lastEventId=4')
    expect(stream.history.value.map(entry => entry.reason).filter(Boolean)).toEqual(['retrying', 'stalled'])
    stream.stop()
  })
})
