import type { H3Event } from 'h3'
import { appendResponseHeader, setResponseHeader } from 'h3'

/**
 * An answer that depends on who asks (a grant, a session, an operator's token): no shared cache may
 * keep it, nor the browser's own store, and `Vary` names the request headers it depends on, for a
 * cache that would otherwise ignore `private`.
 */
export function answerPrivately(event: H3Event, ...dependsOn: Array<'authorization' | 'cookie'>): void {
  setResponseHeader(event, 'cache-control', 'private, no-store')
  if (dependsOn.length) appendResponseHeader(event, 'vary', dependsOn.map(name => name[0]!.toUpperCase() + name.slice(1)).join(', '))
}
