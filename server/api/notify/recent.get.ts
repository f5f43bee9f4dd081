import type { BroadcastPayload, RecentEvents } from '#shared/types/notify'
import { z } from 'zod'
import { authorizeTopics } from '#server/lib/access'
import { type BusEvent, topicsParam } from '#server/lib/broadcast'
import { compareEventIds, parseEventId } from '#shared/utils/event-id'
import { answerPrivately, integerParam } from '#server/lib/http'

const DEFAULT_LIMIT = 50

let recentSchema: { historySize: number, schema: ReturnType<typeof createRecentQuery> } | undefined

/** `?topic=a&topic=b&limit=n`: the same topics rule as the stream; at most the history's size. */
function recentQuery(historySize: number) {
  // One schema per setting: valid queries are remembered per schema (readValidatedQuery).
  if (recentSchema?.historySize !== historySize) recentSchema = { historySize, schema: createRecentQuery(historySize) }
  return recentSchema.schema
}

function createRecentQuery(historySize: number) {
  return z.object({
    topic: topicsParam,
    limit: integerParam('limit', { min: 1, max: historySize, fallback: Math.min(DEFAULT_LIMIT, historySize) }),
  })
}

/**
 * The newest events of `?topic=a&topic=b` and the cursor to resume the stream from, so a page can
 * render them on the server (SSR) and its stream (`lastEventId=cursor`) continues with no event
 * missed and none twice. Same grants as the stream: 401/403 before anything is read.
 */
export default defineEventHandler(async (event): Promise<RecentEvents> => {
  const { topic: topics, limit } = await readValidatedQuery(event, recentQuery(useNotifyConfig().historySize))
  await authorizeTopics(event, topics)
  // What it answers depends on the grant (and is a moment's view: a cached copy would break the cursor).
  answerPrivately(event, 'authorization', 'cookie')
  const bus = useBroadcastHub().bus
  // Each read gives a topic's events and the bus's newest id at one instant; the reads are not one
  // instant together. The earliest newest id is a point every read had reached: the events up to it
  // are all here, and later ones (one topic read after another) are left to the stream, so none twice.
  const reads = await Promise.all([...topics].map(topic => bus.recent(topic, limit)))
  const newestIds = reads.map(read => read.newestId)
  if (newestIds.includes(undefined)) return { events: recentOf(reads.flatMap(read => read.events), limit), cursor: null }
  const cursor = (newestIds as string[]).map(id => ({ id, order: parseEventId(id)! })).sort((a, b) => compareEventIds(a.order, b.order))[0]!
  const upToCursor = reads.flatMap(read => read.events).filter(busEvent => compareEventIds(busEvent.order, cursor.order) <= 0)
  return { events: recentOf(upToCursor, limit), cursor: cursor.id }
})

/** The newest `limit` of them, oldest first, as the stream sent them (`id:`, `event:`, its data). */
function recentOf(events: BusEvent[], limit: number): RecentEvents['events'] {
  return events
    .sort((a, b) => compareEventIds(a.order, b.order))
    .slice(-limit)
    .map(busEvent => ({
      id: busEvent.id,
      event: busEvent.event,
      data: { topic: busEvent.topic, data: busEvent.data, at: new Date(busEvent.at).toISOString() } satisfies BroadcastPayload,
    }))
}
