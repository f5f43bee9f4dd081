import type { BroadcastPayload, RecentEvent, RecentEvents } from '#shared/types/notify'
import { createParser } from 'eventsource-parser'
import { z } from 'zod'
import { type BusEvent, compareEventIds, formatEventId, parseEventId, topicsParam } from '#server/lib/broadcast'
import { integerParam } from '#server/lib/http'

const DEFAULT_LIMIT = 50

/** `?topic=a&topic=b&limit=n`: the same topics rule as the stream; at most the history's size. */
function recentQuery(historySize: number) {
  return z.object({
    topic: topicsParam,
    limit: integerParam('limit', { min: 1, max: historySize, fallback: Math.min(DEFAULT_LIMIT, historySize) }),
  })
}

/**
 * The newest events of `?topic=a&topic=b` and the cursor to resume the stream from, so a page can
 * render them on the server (SSR) and its stream (`lastEventId=cursor`) continues with no event
 * missed and none twice. Read from the same history the stream's replay uses.
 */
export default defineEventHandler(async (event): Promise<RecentEvents> => {
  const { topic: topics, limit } = await readValidatedQuery(event, recentQuery(useNotifyConfig().historySize))
  const bus = useBroadcastHub().bus

  // The newest id is read before the replay: every event of these topics up to it is then in the
  // replay, and the replay may also hold newer ones, so the cursor is the later of the two.
  const before = await bus.historyInfo()
  const replay = await bus.replay(topics, before.oldestId ? idBefore(before.oldestId) : '0-0')
  // Nothing replayable (history trimmed meanwhile, or never written): no events, but still a cursor.
  if ('reset' in replay) return { events: [], cursor: replay.newestId }
  const newest = [before.newestId, replay.events.at(-1)?.id].filter((id): id is string => !!id)
  const cursor = newest.sort((a, b) => compareEventIds(parseEventId(a)!, parseEventId(b)!)).at(-1) ?? null
  return { events: replay.events.slice(-limit).map(toRecentEvent), cursor }
})

/** The id right before `id`, so a replay "after" it starts with `id` itself. */
function idBefore(id: string): string {
  const [ms, seq] = parseEventId(id)!
  return seq > 0 ? formatEventId([ms, seq - 1]) : formatEventId([ms - 1, 999_999_999_999_999])
}

/** The bus keeps each event as its SSE frame (serialised once): read it back with the parser a client uses. */
function toRecentEvent(busEvent: BusEvent): RecentEvent {
  let data = ''
  createParser({
    onEvent: (message) => {
      data = message.data
    },
  }).feed(new TextDecoder().decode(busEvent.frame))
  return { id: busEvent.id, event: busEvent.event, data: JSON.parse(data) as BroadcastPayload }
}
