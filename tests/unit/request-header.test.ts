import type { H3Event } from 'h3'
import { getRequestHeader } from 'h3'
import { describe, expect, it } from 'vitest'
import { requestHeader } from '../../server/lib/http'

const eventWith = (headers: Record<string, string | string[]>) => ({ node: { req: { headers } } }) as unknown as H3Event

describe('requestHeader', () => {
  it.each<[Record<string, string | string[]>, Lowercase<string>]>([
    [{ 'last-event-id': '42' }, 'last-event-id'],
    [{ origin: 'https://app.example' }, 'origin'],
    [{}, 'authorization'],
    [{ 'x-forwarded-for': ['10.0.0.1', '', '10.0.0.2'] }, 'x-forwarded-for'],
  ])('%o, %s: the answer h3\'s getRequestHeader gives', (headers, name) => {
    const event = eventWith({ ...headers })
    expect(requestHeader(event, name)).toBe(getRequestHeader(event, name))
  })
})
