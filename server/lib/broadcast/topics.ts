import { DEFAULT_TOPIC, NAME_PATTERN, NAME_RULE } from '#shared/utils/notify'
import { z } from 'zod'

const MAX_TOPICS = 32
const TOPIC_RULE = `Query parameter "topic" ${NAME_RULE}.`

/**
 * `?topic=a&topic=b` (default `broadcast`) as a set, for a query schema: at most MAX_TOPICS, each
 * of the name rule. The count is checked before the names (each pipe stops at the first failure).
 */
export const topicsParam = z.union([z.string(), z.array(z.unknown())], { error: TOPIC_RULE })
  .optional()
  .transform(raw => raw === undefined ? [DEFAULT_TOPIC] : Array.isArray(raw) ? raw : [raw])
  .pipe(z.array(z.unknown()).max(MAX_TOPICS, { error: `At most ${MAX_TOPICS} topics per stream.` }))
  .pipe(z.array(z.string({ error: TOPIC_RULE }).regex(NAME_PATTERN, { error: TOPIC_RULE })))
  .transform((topics): ReadonlySet<string> => new Set(topics))
