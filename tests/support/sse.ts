import { createParser, type EventSourceMessage } from 'eventsource-parser'

export interface SseReader {
  response: Response
  /** Every event parsed so far, by a spec-following parser. */
  events: EventSourceMessage[]
  /** Every byte of the body so far, as text. */
  raw: string
  /** Retry hints and comment lines seen so far. */
  retries: number[]
  comments: string[]
  /** When each of `events` and of `comments` arrived, in ms after the request was sent. */
  eventTimes: number[]
  commentTimes: number[]
  /** Resolves once `predicate` holds for what has arrived; rejects after `timeoutMs` or when the stream ends first. */
  until: (predicate: (reader: SseReader) => boolean, timeoutMs?: number) => Promise<void>
  /** Resolves when the server ends the response. */
  ended: Promise<void>
  close: () => void
}

/**
 * Opens an SSE response over real HTTP and parses it as it arrives; `target` is a path of the test
 * server or a full URL. Outside vitest (the preset checks run it under plain Node) only a full URL:
 * the test server's helpers are imported only for a path.
 */
export async function openSse(target: string, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<SseReader> {
  const abort = new AbortController()
  const href = /^https?:/.test(target) ? target : (await import('@nuxt/test-utils/e2e')).url(target)
  const sent = performance.now()
  const since = () => Math.round(performance.now() - sent)
  const response = await fetch(href, { headers: { accept: 'text/event-stream', ...headers }, signal: signal ? AbortSignal.any([abort.signal, signal]) : abort.signal })
  const listeners = new Set<() => void>()
  let over = false
  const reader: SseReader = {
    response,
    events: [],
    raw: '',
    retries: [],
    comments: [],
    eventTimes: [],
    commentTimes: [],
    ended: Promise.resolve(),
    close: () => abort.abort(),
    until: (predicate, timeoutMs = 5000) => new Promise((resolve, reject) => {
      const check = () => {
        const held = predicate(reader)
        if (!held && !over) return false
        listeners.delete(check)
        clearTimeout(timer)
        if (held) resolve()
        else reject(new Error(`the stream ended first; received:\n${reader.raw.slice(-2000)}`))
        return true
      }
      const timer = setTimeout(() => {
        listeners.delete(check)
        reject(new Error(`timed out after ${timeoutMs} ms; received:\n${reader.raw.slice(-2000)}`))
      }, timeoutMs)
      if (!check()) listeners.add(check)
    }),
  }
  const parser = createParser({
    onEvent: (event) => {
      reader.events.push(event)
      reader.eventTimes.push(since())
    },
    onRetry: retry => reader.retries.push(retry),
    onComment: (comment) => {
      reader.comments.push(comment)
      reader.commentTimes.push(since())
    },
  })
  // ignoreBOM: keep a byte-order mark in `raw`, so that a test can see the server never sends one.
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true })
  reader.ended = (async () => {
    if (!response.body) return
    try {
      const body = response.body.getReader()
      for (let chunk = await body.read(); !chunk.done; chunk = await body.read()) {
        const text = decoder.decode(chunk.value, { stream: true })
        reader.raw += text
        parser.feed(text)
        for (const listener of [...listeners]) listener()
      }
    }
    catch (error) {
      if (!abort.signal.aborted) throw error
    }
    finally {
      over = true
      for (const listener of [...listeners]) listener()
    }
  })()
  // Rejects for those who await it (the server cut the stream); not an unhandled rejection otherwise.
  reader.ended.catch(() => {})
  return reader
}

export const json = <T>(event: EventSourceMessage): T => JSON.parse(event.data) as T

/** Polls `read` until `predicate` holds (for state the server changes asynchronously). */
export async function eventually<T>(read: () => Promise<T>, predicate: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let value = await read()
  while (!predicate(value)) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`)
    await new Promise(resolve => setTimeout(resolve, 50))
    value = await read()
  }
  return value
}
