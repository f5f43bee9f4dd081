import { createParser, type EventSourceMessage } from 'eventsource-parser'
import { describe, expect, it } from 'vitest'
import { formatSseFrame } from '../../server/lib/sse/frame'

function parse(text: string): EventSourceMessage[] {
  const events: EventSourceMessage[] = []
  const parser = createParser({ onEvent: event => events.push(event) })
  parser.feed(text)
  return events
}

describe('formatSseFrame', () => {
  it('writes id, event, retry and data lines, then a blank line', () => {
    expect(formatSseFrame({ id: '7', event: 'tick', retry: 3000, data: '{"a":1}' }))
      .toBe('id: 7\nevent: tick\nretry: 3000\ndata: {"a":1}\n\n')
  })

  it.each([
    ['LF', 'a\nb'],
    ['CR', 'a\rb'],
    ['CRLF', 'a\r\nb'],
    ['a trailing newline', 'a\n'],
    ['an empty string', ''],
    ['unicode', '这是第1次 🚀'],
    ['an injected field', '\nid: x\nevent: evil\n\ndata: y'],
    ['a leading space', ' x'],
  ])('keeps data with %s whole through a spec parser', (_, data) => {
    const events = parse(formatSseFrame({ id: '1', data }))
    expect(events).toHaveLength(1)
    expect(events[0]!.id).toBe('1')
    expect(events[0]!.event).toBeUndefined()
    // The spec turns every line break of the data into LF.
    expect(events[0]!.data).toBe(data.replace(/\r\n|\r/g, '\n'))
  })

  it('strips CR, LF and NUL from ids and event names so they cannot inject a field', () => {
    const frame = formatSseFrame({ id: '1\n\0data: x', event: 'a\r\nretry: 1', data: 'ok' })
    expect(frame).toBe('id: 1data: x\nevent: aretry: 1\ndata: ok\n\n')
    expect(parse(frame)).toEqual([{ id: '1data: x', event: 'aretry: 1', data: 'ok' }])
  })

  it('emits retry as digits only, and no data line for a frame without data', () => {
    expect(formatSseFrame({ retry: 2000 })).toBe('retry: 2000\n\n')
    expect(formatSseFrame({ retry: 1.5 })).toBe('\n')
    expect(formatSseFrame({ retry: -1 })).toBe('\n')
    expect(parse(formatSseFrame({ retry: 2000 }))).toEqual([])
  })
})
