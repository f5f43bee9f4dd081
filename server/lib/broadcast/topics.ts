import type { H3Event } from 'h3'
import { DEFAULT_TOPIC, NAME_PATTERN } from '#shared/utils/notify'
import { getQuery } from 'h3'
import { badRequest } from './query-params'

const MAX_TOPICS = 32

/** `?topic=a&topic=b` (default `broadcast`), each 1..128 letters, digits or `._:-`. */
export function readTopics(event: H3Event): Set<string> {
  const raw = getQuery(event).topic
  const values = raw === undefined ? [DEFAULT_TOPIC] : Array.isArray(raw) ? raw : [raw]
  if (values.length > MAX_TOPICS) badRequest(`At most ${MAX_TOPICS} topics per stream.`, { parameter: 'topic' })
  for (const value of values) {
    if (typeof value !== 'string' || !NAME_PATTERN.test(value)) {
      badRequest('Query parameter "topic" must be 1 to 128 letters, digits or "._:-".', { parameter: 'topic' })
    }
  }
  return new Set(values as string[])
}
