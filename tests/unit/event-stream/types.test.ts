import { describe, expectTypeOf, it } from 'vitest'
import { effectScope } from 'vue'
import type { CountingPayload, DonePayload, MilestonePayload } from '#shared/types/notify'
import type { EventStreamEntry } from '../../../composables/useEventStream'
import { useEventStream } from '../../../composables/useEventStream'

type CountingEvents = { message: CountingPayload, customEvent: MilestonePayload, done: DonePayload }

describe('the typed event map', () => {
  it('types data, history entries and onEvent per event name, without narrowing the payload', () => {
    effectScope().run(() => {
      const stream = useEventStream<CountingEvents>('http://127.0.0.1:9/x', {
        immediate: false,
        seed: { events: [{ event: 'message', data: { count: 1, total: 1, message: 'one', at: '' }, id: '1' }] },
        events: ['customEvent'],
        onEvent: (entry) => {
          expectTypeOf(entry.event).toEqualTypeOf<'message' | 'customEvent' | 'done'>()
          if (entry.event === 'customEvent') expectTypeOf(entry.data).toEqualTypeOf<MilestonePayload>()
        },
      })
      expectTypeOf(stream.data.value).toEqualTypeOf<CountingPayload | undefined>()
      const entry = stream.history.value[0]!
      if (entry.kind === 'message' || entry.kind === 'event') {
        if (entry.event === 'message') expectTypeOf(entry.data).toEqualTypeOf<CountingPayload>()
        if (entry.event === 'done') expectTypeOf(entry.data).toEqualTypeOf<DonePayload>()
      }
      // Lifecycle lines carry no payload.
      expectTypeOf<Extract<EventStreamEntry<CountingEvents>, { kind: 'open' | 'error' | 'close' }>['data']>().toEqualTypeOf<undefined>()
    })
  })

  it('keeps `unknown` without a map', () => {
    effectScope().run(() => {
      const untyped = useEventStream('http://127.0.0.1:9/x', { immediate: false })
      expectTypeOf(untyped.data.value).toEqualTypeOf<unknown>()
      expectTypeOf<EventStreamEntry['kind']>().toEqualTypeOf<'open' | 'message' | 'event' | 'error' | 'close'>()
    })
  })
})
