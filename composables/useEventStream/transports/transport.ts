import type { EventStreamConnection } from '../types'

/** What a transport tells the composable. Every callback comes at most once per event, in order. */
export interface TransportHandlers {
  open: (connection: EventStreamConnection) => void
  /** Every dispatched event (the SSE default name is `message`). `id` is the stream's last event id. */
  event: (type: string, data: string, id: string) => void
  /** A comment arrived (a heartbeat on the fetch transport): the connection is alive. */
  alive: () => void
  /** The server's `retry:` field. */
  retryHint: (ms: number) => void
  failed: (failure: TransportFailure) => void
}

export interface HttpAnswer {
  status: number
  /** From `Retry-After`, in ms. */
  retryAfterMs?: number
}

export interface TransportFailure {
  /** The transport reconnects by itself (EventSource's own retry); the composable only waits. */
  retrying: boolean
  /** The refusal's HTTP status and Retry-After, when the transport could see them. */
  answer?: HttpAnswer
  /**
   * EventSource cannot see statuses: one confirming request that reads them, settling with
   * undefined when it could not tell (network error, deadline).
   */
  probe?: Promise<HttpAnswer | undefined>
  /** The server ended the stream (a clean end, not a refusal). */
  ended?: boolean
  /** The Event to expose as `error`. */
  event: Event
}

export interface TransportRequest {
  url: string
  headers: Record<string, string>
  withCredentials: boolean
  /** Named events to listen to (EventSource must be told; fetch sees every one). */
  events: readonly string[]
}

export interface Transport {
  close: () => void
}

export type TransportFactory = (request: TransportRequest, handlers: TransportHandlers) => Transport

/** Deadline of the one confirming request that reads a refused stream's status. */
export const PROBE_TIMEOUT_MS = 5000

export function readAnswer(response: Response, parseRetryAfter: (header: string | null) => number | undefined): HttpAnswer {
  return { status: response.status, retryAfterMs: parseRetryAfter(response.headers.get('retry-after')) }
}
