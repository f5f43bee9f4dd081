/**
 * One client's stream, whatever carries it (bytes straight to Node's response, a web
 * ReadableStream, h3's EventStream): one signal that it is over, whoever ended it, and one way
 * to end it. The stream lifecycle (server/lib/streams) needs nothing else of a transport.
 */
export interface SseConnection {
  readonly closed: boolean
  /** Called once, when the stream is over: the client left, the server ended it, or a write failed. */
  onClose(callback: () => void): void
  /** Ends the response cleanly; the close callbacks run. */
  end(): void
  /** What the route handler returns: h3 sends the body, or nothing is left to send (Node, written directly). */
  send(): Promise<void> | undefined
}

/** `onClose` callbacks, fired once, at once for a late subscriber. */
export function closeNotifier() {
  const callbacks: Array<() => void> = []
  let closed = false
  return {
    get closed() {
      return closed
    },
    onClose(callback: () => void) {
      if (closed) callback()
      else callbacks.push(callback)
    },
    fire() {
      if (closed) return
      closed = true
      for (const callback of callbacks.splice(0)) callback()
    },
  }
}

/** What every transport needs to know to open a stream. */
export interface SseConnectionOptions {
  /** Unread bytes after which a client is cut off (it resumes with Last-Event-ID). */
  maxQueuedBytes: number
  /** The `retry:` hint (ms) of the first frame, which also sends the response headers. */
  retryMs: number
}
