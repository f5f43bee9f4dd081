import { createParser } from 'eventsource-parser'
import { parseRetryAfter } from '../backoff'
import type { TransportFactory } from './transport'
import { readAnswer } from './transport'

/**
 * An event stream read with `fetch` and parsed by eventsource-parser: it can send headers
 * (`Authorization`), sees every status and comment, and never retries by itself: the composable
 * decides (Retry-After, `retry:`, backoff, a fresh token).
 */
export const fetchTransport: TransportFactory = (request, handlers) => {
  const abort = new AbortController()
  let closed = false
  const fail = (failure: Omit<Parameters<typeof handlers.failed>[0], 'event' | 'retrying'>) => {
    if (!closed) handlers.failed({ retrying: false, event: new Event('error'), ...failure })
    closed = true
  }

  async function run() {
    const response = await fetch(request.url, {
      headers: { accept: 'text/event-stream', ...request.headers },
      credentials: request.withCredentials ? 'include' : 'same-origin',
      cache: 'no-store',
      signal: abort.signal,
    })
    const type = response.headers.get('content-type') ?? ''
    if (response.status !== 200 || !response.body || !type.startsWith('text/event-stream')) {
      await response.body?.cancel().catch(() => {})
      return fail({ answer: readAnswer(response, parseRetryAfter) })
    }
    handlers.open(response)
    // The spec's last-event-id buffer: an event without `id:` keeps the previous one.
    let lastId = ''
    const parser = createParser({
      onEvent: (message) => {
        if (message.id !== undefined) lastId = message.id
        handlers.event(message.event || 'message', message.data, lastId)
      },
      onRetry: handlers.retryHint,
      onComment: handlers.alive,
    })
    const decoder = new TextDecoder()
    const reader = response.body.getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done || closed) break
      parser.feed(decoder.decode(value, { stream: true }))
    }
    fail({ ended: true })
  }

  run().catch(() => fail({}))
  return {
    close: () => {
      closed = true
      abort.abort()
    },
  }
}
