import type { H3CorsOptions } from 'h3'
import { appendCorsHeaders, createApp, eventHandler, toWebHandler } from 'h3'
import { describe, expect, it } from 'vitest'
import { handleStreamCors } from '../../server/lib/streams/cors'

const ALLOWLIST = 'https://app.example, https://admin.example'

/** What h3's own appendCorsHeaders gives a stream request, with the options the streams used to hand it. */
function h3Options(corsOrigins: string): H3CorsOptions {
  const anyOrigin = corsOrigins === '*'
  return {
    origin: anyOrigin ? '*' : corsOrigins.split(',').map(origin => origin.trim()),
    methods: ['GET'],
    allowHeaders: ['last-event-id', 'cache-control', 'accept'],
    credentials: !anyOrigin,
    maxAge: '86400',
  }
}

async function corsHeaders(corsOrigins: string, origin: string | undefined, how: 'ours' | 'h3') {
  const handler = toWebHandler(createApp().use('/', eventHandler((event) => {
    if (how === 'ours') handleStreamCors(event, corsOrigins)
    else appendCorsHeaders(event, h3Options(corsOrigins))
    return ''
  })))
  const response = await handler(new Request('http://local/api/notify/events', { headers: origin ? { origin } : {} }))
  return Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('access-control-') || name === 'vary'))
}

describe('stream CORS without h3 working it out per request', () => {
  it.each([
    ['*', 'https://anywhere.example'],
    ['*', undefined],
    [ALLOWLIST, 'https://app.example'],
    [ALLOWLIST, 'https://admin.example'],
    [ALLOWLIST, 'https://evil.example'],
    [ALLOWLIST, 'https://app.example.evil.example'],
    [ALLOWLIST, undefined],
  ])('corsOrigins %s, Origin %s: exactly the headers h3\'s appendCorsHeaders gives', async (corsOrigins, origin) => {
    const ours = await corsHeaders(corsOrigins, origin, 'ours')
    expect(ours).toEqual(await corsHeaders(corsOrigins, origin, 'h3'))
    expect(Object.keys(ours).length).toBeGreaterThan(0)
  })
})
