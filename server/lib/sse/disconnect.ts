import type { ServerResponse } from 'node:http'

/**
 * Calls `callback` once the Node response is closed; at once when it already is: a client can leave
 * while its request waits for its handler, and 'close' is not emitted a second time.
 */
export function onceClosed(res: ServerResponse, callback: () => void): void {
  if (res.closed || res.destroyed) callback()
  else res.once('close', callback)
}
