import { mountSuspended } from '@nuxt/test-utils/runtime'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createSSRApp, defineComponent, effectScope, h } from 'vue'
import { renderToString } from 'vue/server-renderer'
import { useEventStream } from '~/composables/useEventStream'

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
})
