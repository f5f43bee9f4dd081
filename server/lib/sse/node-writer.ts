import type { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { countSlowConsumer } from '#server/lib/metrics'
import type { SseConnection } from './connection'
import type { SseSink } from './sink'

/**
 * Sockets held corked until the end of the event-loop turn (`coalesce`), so the writes of every
 * stream that ticked in this turn leave together.
 *
 * Node flushes each `res.write` on its own in the next tick, so a thousand streams whose timers
 * fire in one turn make a thousand `writev` calls spread between the JavaScript of each timer.
 * On loopback (a proxy on the same host, the benchmark) each call also runs the receiver's side of
 * TCP, and costs more the more work runs between calls. Holding the socket corked until
 * `setImmediate` makes the same calls back to back, after all the timers of the turn ran: the same
 * syscalls with the same bytes, in far less time (bench/README.md, "Numbers behind the code").
 * A frame waits at most for the rest of the turn.
 */
const held = new Map<ServerResponse, Socket>()
let flushScheduled = false

function flushHeld() {
  flushScheduled = false
  for (const socket of held.values()) socket.uncork()
  held.clear()
}

function hold(res: ServerResponse) {
  const socket = res.socket
  if (socket && !held.has(res)) {
    // The socket, not `res.cork()`: Node's OutgoingMessage.uncork() sends a chunked body's pieces
    // after uncorking the socket, four syscalls per frame instead of one.
    socket.cork()
    held.set(res, socket)
  }
  if (!flushScheduled) {
    flushScheduled = true
    setImmediate(flushHeld)
  }
}

/**
 * The one writer of an event stream to a Node response (node-server, node-cluster, vercel), for
 * both stream routes: the broadcast writes its shared frames to it, and h3's event stream writes
 * each counting message to it (server/lib/sse/h3-event-stream.ts). It does three things:
 * - backpressure: a client with more than `maxQueuedBytes` unread is cut off (counted as a slow
 *   consumer) rather than buffered without bound; it comes back with Last-Event-ID;
 * - coalescing, when asked: writes held to the end of the turn, above;
 * - close: one signal, whoever ended the stream (the client, the server, a cut-off).
 *
 * It is held for the whole life of a stream, once per client: one object with its methods on the
 * prototype and a single 'close' listener, rather than a closure per method and a notifier beside
 * it (measured: bench/README.md, "Numbers behind the code"). Nothing in it holds the H3Event, so
 * the request's context is not kept for the life of the stream either.
 */
export class NodeWriter implements SseSink, SseConnection {
  closed = false
  /** `concat` allocates exactly the slots it needs; a push or spread into `[]` reserves many more. */
  private callbacks: ReadonlyArray<() => void> = []

  constructor(private readonly res: ServerResponse, private readonly maxQueuedBytes: number, private readonly coalesce: boolean) {
    // Not `once`: 'close' is emitted once, and `once` wraps the listener in two more objects.
    // A client can leave while its request waits for its handler; 'close' is not emitted again then.
    if (res.closed || res.destroyed) this.fire()
    else res.on('close', () => this.fire())
  }

  write(chunk: Uint8Array): boolean {
    if (this.closed) return false
    if (this.res.writableLength > this.maxQueuedBytes) {
      countSlowConsumer()
      this.res.destroy()
      this.fire()
      return false
    }
    if (this.coalesce) hold(this.res)
    this.res.write(chunk)
    return true
  }

  whenWritable(): Promise<void> {
    if (this.closed || !this.res.writableNeedDrain) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('drain', done)
        resolve()
      }
      this.res.on('drain', done)
      this.onClose(done)
    })
  }

  /** Ends the response; what is still held leaves with the end of the body, in one write. */
  end(): void {
    if (!this.closed) {
      const socket = held.get(this.res)
      held.delete(this.res)
      this.res.end()
      socket?.uncork()
    }
    this.fire()
  }

  onClose(callback: () => void): void {
    if (this.closed) callback()
    else this.callbacks = this.callbacks.concat(callback)
  }

  /** Written to the response directly: nothing is left for h3 to send. */
  send(): undefined {
    return undefined
  }

  private fire(): void {
    if (this.closed) return
    this.closed = true
    const callbacks = this.callbacks
    this.callbacks = []
    for (const callback of callbacks) callback()
  }
}
