import type { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

/**
 * Writes to Node responses that leave the process together, once per event-loop turn.
 *
 * Node flushes each `res.write` on its own in the next tick, so a thousand streams whose timers
 * fire in one turn make a thousand `writev` calls spread between the JavaScript of each timer.
 * On loopback (a proxy on the same host, the benchmark) each call also runs the receiver's side of
 * TCP, and costs more the more work runs between calls. Holding the socket corked until
 * `setImmediate` makes the same calls back to back, after all the timers of the turn ran: the same
 * syscalls with the same bytes, in far less time (bench/README.md, "Numbers behind the code").
 * A frame waits at most for the rest of the turn.
 */
const corked = new Map<ServerResponse, Socket>()
let flushScheduled = false

function flush() {
  flushScheduled = false
  for (const socket of corked.values()) socket.uncork()
  corked.clear()
}

export function writeCoalesced(res: ServerResponse, chunk: Uint8Array): void {
  const socket = res.socket
  if (socket && !corked.has(res)) {
    // The socket, not `res.cork()`: Node's OutgoingMessage.uncork() sends a chunked body's pieces
    // after uncorking the socket, four syscalls per frame instead of one.
    socket.cork()
    corked.set(res, socket)
  }
  res.write(chunk)
  if (!flushScheduled) {
    flushScheduled = true
    setImmediate(flush)
  }
}

/** Ends the response; what is still held leaves with the end of the body, in one write. */
export function endCoalesced(res: ServerResponse): void {
  const socket = corked.get(res)
  corked.delete(res)
  if (!res.destroyed) res.end()
  socket?.uncork()
}
