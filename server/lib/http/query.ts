import type { H3Event } from 'h3'
import { createError, getQuery, getRequestHeader } from 'h3'

/** 400 with a JSON body that names the parameter; Nitro never adds a stack to a 4xx. */
export function badRequest(message: string, data?: Record<string, unknown>): never {
  throw createError({ statusCode: 400, statusMessage: 'Bad Request', message, data })
}

/**
 * Reads an optional integer query parameter within [min, max]. Repeated, fractional, signed
 * or padded values are refused rather than guessed at.
 */
export function readIntegerQuery(event: H3Event, name: string, range: { min: number, max: number, fallback: number }): number {
  const raw = getQuery(event)[name]
  if (raw === undefined) return range.fallback
  if (typeof raw !== 'string' || !/^\d{1,9}$/.test(raw)) {
    badRequest(`Query parameter "${name}" must be an integer from ${range.min} to ${range.max}.`, { parameter: name })
  }
  const value = Number(raw)
  if (value < range.min || value > range.max) {
    badRequest(`Query parameter "${name}" must be an integer from ${range.min} to ${range.max}, got ${value}.`, { parameter: name })
  }
  return value
}

/**
 * The id a reconnecting client last saw: the `Last-Event-ID` header EventSource sends on its own,
 * or `?lastEventId=` for clients that can't set headers (a fresh `new EventSource(url)`).
 */
export function readLastEventId(event: H3Event): string | undefined {
  const header = getRequestHeader(event, 'last-event-id')
  if (header) return header
  const query = getQuery(event).lastEventId
  return typeof query === 'string' && query !== '' ? query : undefined
}
