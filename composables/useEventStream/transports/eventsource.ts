import { parseRetryAfter } from '../backoff'
import type { HttpAnswer, TransportFactory } from './transport'
import { PROBE_TIMEOUT_MS, readAnswer } from './transport'

/**
 * The browser's EventSource: retries by itself after a network drop (readyState CONNECTING) and
 * honours the server's `retry:`. When it gives up (an HTTP error: it never says which), one GET
 * reads the status, so a 401/403 is reported instead of retried and a 503's Retry-After is kept.
 */
export const eventSourceTransport: TransportFactory = (request, handlers) => {
  const source = new EventSource(request.url, { withCredentials: request.withCredentials })
  source.onopen = () => handlers.open(source)
  source.onmessage = event => handlers.event('message', event.data, event.lastEventId)
  for (const name of new Set(request.events)) {
    source.addEventListener(name, (event) => {
      const message = event as MessageEvent<string>
      handlers.event(name, message.data, message.lastEventId)
    })
  }
  source.onerror = (event) => {
    const retrying = source.readyState === EventSource.CONNECTING
    handlers.failed({ retrying, event, probe: retrying ? undefined : probeStatus(request.url, request.withCredentials) })
  }
  return { close: () => source.close() }
}

/** One GET that reads the answer's status and headers, then lets the body go. */
async function probeStatus(url: string, withCredentials: boolean): Promise<HttpAnswer | undefined> {
  if (typeof fetch !== 'function') return undefined
  const abort = new AbortController()
  const deadline = setTimeout(() => abort.abort(), PROBE_TIMEOUT_MS)
  try {
    const response = await fetch(url, {
      headers: { accept: 'text/event-stream' },
      credentials: withCredentials ? 'include' : 'same-origin',
      cache: 'no-store',
      signal: abort.signal,
    })
    return readAnswer(response, parseRetryAfter)
  }
  catch {
    return undefined
  }
  finally {
    clearTimeout(deadline)
    // A stream that is open again (200) is not read: this was only a question.
    abort.abort()
  }
}
