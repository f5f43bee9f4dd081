import type { H3Event } from 'h3'

/**
 * One request header, read where Node keeps it. h3 1.x's `getRequestHeader` copies every header of
 * the request into a new object to return one of them: on a stream connect from a browser (15 or
 * more headers) that copy is made for each header looked at. Same answer as h3's: a repeated
 * header's values joined with ", ".
 */
export function requestHeader(event: H3Event, name: Lowercase<string>): string | undefined {
  const value = event.node.req.headers[name]
  return Array.isArray(value) ? value.filter(Boolean).join(', ') : value
}
