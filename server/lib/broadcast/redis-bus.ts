import { Redis } from 'ioredis'
import type { BusEvent, EventBus, PublishInput, RecentResult, ReplayResult } from './bus'
import type { EventId } from '#shared/utils/event-id'
import { createBusEvent } from './bus'
import { compareEventIds, parseEventId } from '#shared/utils/event-id'
import type { HistoryLimits } from './history'
import { replayGap } from './history'
import { LUA_ID_BEFORE, READY_WAIT_MS, REDIS_CONNECTION, busUnavailable, redisErrorLogger, settlesWithin } from './redis-common'

export interface RedisBusOptions {
  url: string
  /** The Redis stream that carries every topic's events to every instance; `<key>:topic:<topic>` holds each topic's history. */
  key: string
  history: HistoryLimits
}

const BLOCK_MS = 5000
const RETRY_MS = 200
// A topic's history stream outlives its newest event by this much past maxAgeMs (then Redis drops it).
const TOPIC_TTL_MARGIN_MS = 60_000

/**
 * One atomic step: the event goes on the delivery stream (which gives it its id, ordered across all
 * topics), then on its topic's history stream under the SAME id, trimmed exactly to the topic's own
 * size and age. Redis does not record what a trim removed (max-deleted-entry-id only follows XDEL),
 * so the script sets it itself (XSETID ... MAXDELETEDID): the newest id a topic lost, which tells a
 * client that it missed events. Keys come in KEYS[], never built in the script, so a cluster can
 * route them later. ARGV: size, oldest id kept by age (`<ms>-0`), topic TTL ms, topic, event, data, at.
 */
const PUBLISH_SCRIPT = `
${LUA_ID_BEFORE}
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'topic', ARGV[4], 'event', ARGV[5], 'data', ARGV[6], 'at', ARGV[7])
redis.call('XTRIM', KEYS[1], 'MINID', '~', ARGV[2])
redis.call('XADD', KEYS[2], id, 'topic', ARGV[4], 'event', ARGV[5], 'data', ARGV[6], 'at', ARGV[7])
local dropped = false
local excess = redis.call('XLEN', KEYS[2]) - tonumber(ARGV[1])
if excess > 0 then
  local gone = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', excess)
  dropped = gone[#gone][1]
end
local old = ARGV[2] ~= '0-0' and redis.call('XREVRANGE', KEYS[2], '(' .. ARGV[2], '-', 'COUNT', 1) or {}
if old[1] and (not dropped or before(dropped, old[1][1])) then dropped = old[1][1] end
if dropped then
  local ms, seq = string.match(dropped, '^(%d+)-(%d+)$')
  redis.call('XTRIM', KEYS[2], 'MINID', ms .. '-' .. (tonumber(seq) + 1))
  redis.call('XSETID', KEYS[2], id, 'MAXDELETEDID', dropped)
end
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return id
`

/**
 * The bus across instances. One delivery stream carries every event: XADD gives each its id, the
 * same on every instance, so a client can resume on any of them with Last-Event-ID, and one
 * blocking XREAD loop per instance feeds the local hub (never one Redis connection per subscriber).
 * Each topic also has its own history stream (same ids, written in the same script), trimmed to
 * `history.size` entries and `history.maxAgeMs` of age: replay is XRANGE per asked topic, merged by
 * id, and Redis records each topic's newest trimmed id, which tells a client it missed too much.
 */
export function createRedisBus(options: RedisBusOptions): EventBus {
  const { key, history } = options
  const writer = new Redis(options.url, { ...REDIS_CONNECTION, connectionName: 'notify-writer' })
  writer.defineCommand('notifyPublish', { numberOfKeys: 2, lua: PUBLISH_SCRIPT })
  const topicKey = (topic: string) => `${key}:topic:${topic}`
  const topicTtlMs = history.maxAgeMs + TOPIC_TTL_MARGIN_MS
  const reader = new Redis(options.url, { ...REDIS_CONNECTION, connectionName: 'notify-reader' })
  const logError = redisErrorLogger()
  writer.on('error', logError)
  reader.on('error', logError)

  const listeners: Array<(event: BusEvent) => void> = []
  let published = 0
  let received = 0

  // The last `history.size` events this instance built, by id: its own publishes, which the loop
  // then reads back, and what the loop read. A storm of clients reconnecting after a deploy replays
  // from here instead of decoding and re-framing each Redis entry once per client.
  const recent = new Map<string, BusEvent>()
  const remember = (event: BusEvent) => {
    recent.set(event.id, event)
    if (recent.size > history.size) recent.delete(recent.keys().next().value!)
    return event
  }
  const eventOf = (id: string, fields: string[]) => recent.get(id) ?? toBusEvent(id, fields)
  let closed = false

  async function streamInfo(stream = key) {
    try {
      const flat = await writer.call('XINFO', 'STREAM', stream) as unknown[]
      const info = new Map<string, unknown>()
      for (let i = 0; i < flat.length; i += 2) info.set(String(flat[i]), flat[i + 1])
      const first = info.get('first-entry') as [string] | null
      return {
        length: Number(info.get('length') ?? 0),
        lastId: String(info.get('last-generated-id') ?? '0-0'),
        maxDeletedId: String(info.get('max-deleted-entry-id') ?? '0-0'),
        firstId: first?.[0],
      }
    }
    catch (error) {
      if (/no such key/i.test(String(error))) return { length: 0, lastId: '0-0', maxDeletedId: '0-0', firstId: undefined }
      throw error
    }
  }

  // Subscribers count from the moment the reading loop has its place in the stream: until then
  // (the first milliseconds after boot, or while Redis is down at boot) the bus is not ready.
  let reading = false
  let markReady!: () => void
  const ready = new Promise<void>(resolve => (markReady = () => {
    reading = true
    resolve()
  }))

  async function readLoop() {
    let cursor: string | undefined
    while (!closed) {
      try {
        // Start at the end of the stream as it is now; from then on, never lose our place.
        if (cursor === undefined) {
          cursor = (await streamInfo()).lastId
          markReady()
        }
        const result = await reader.xread('COUNT', 1000, 'BLOCK', BLOCK_MS, 'STREAMS', key, cursor)
        for (const [, entries] of result ?? []) {
          for (const [id, fields] of entries) {
            cursor = id
            received++
            const event = eventOf(id, fields)
            if (!event) continue
            remember(event)
            for (const listener of listeners) listener(event)
          }
        }
      }
      catch (error) {
        if (closed) return
        logError(error as Error)
        await new Promise(resolve => setTimeout(resolve, RETRY_MS))
      }
    }
  }
  void readLoop()

  return {
    async publish(input: PublishInput) {
      // Until the reading loop has its place, an event published here could pass it by.
      if (!(await settlesWithin(ready, READY_WAIT_MS))) throw busUnavailable()
      const at = Date.now()
      let id: string | undefined
      try {
        const publishScript = (writer as unknown as { notifyPublish: (...args: string[]) => Promise<string> }).notifyPublish
        id = await publishScript.call(writer, key, topicKey(input.topic), String(history.size), `${Math.max(0, at - history.maxAgeMs)}-0`, String(topicTtlMs), input.topic, input.event, JSON.stringify(input.data), String(at))
      }
      catch {
        throw busUnavailable()
      }
      const order = id ? parseEventId(id) : undefined
      if (!order) throw busUnavailable()
      published++
      return remember(createBusEvent(order, input, at))
    },

    async replay(topics, lastEventId): Promise<ReplayResult> {
      const asked = [...topics]
      const [info, ...topicInfos] = await Promise.all([streamInfo(), ...asked.map(topic => streamInfo(topicKey(topic)))])
      const seen = parseEventId(lastEventId)
      const newest = parseEventId(info!.lastId)!
      const oldestId = topicInfos.map(topicInfo => topicInfo.firstId).filter(id => id !== undefined).sort(byId)[0]
      // The reset rule, topic by topic. A topic with no history stream has had nothing for longer
      // than maxAgeMs (Redis expired it): a client that saw less than that may have lost events.
      const expiredBefore: EventId = [Date.now() - history.maxAgeMs, 0]
      for (const topicInfo of topicInfos) {
        const floor = topicInfo.lastId === '0-0' ? expiredBefore : parseEventId(topicInfo.maxDeletedId)!
        const gap = replayGap(seen, newest, floor)
        if (gap) return { reset: { reason: gap, oldestId }, newestId: info!.lastId }
      }
      if (!seen) return { reset: { reason: 'unknown-id', oldestId }, newestId: info!.lastId }
      const perTopic = await Promise.all(asked.map(topic => writer.xrange(topicKey(topic), `(${lastEventId}`, '+', 'COUNT', history.size)))
      const events = perTopic.flat().map(([id, fields]) => eventOf(id, fields)).filter((event): event is BusEvent => !!event && topics.has(event.topic))
      if (asked.length > 1) events.sort((a, b) => compareEventIds(a.order, b.order))
      return { events }
    },

    async recent(topic, limit): Promise<RecentResult> {
      // One MULTI: the newest id is read at the same instant as the topic's events, so a stream
      // resumed from it misses nothing published in between.
      const results = await writer.multi()
        .xrevrange(topicKey(topic), '+', '-', 'COUNT', limit)
        .xrevrange(key, '+', '-', 'COUNT', 1)
        .exec()
      const entries = (results?.[0]?.[1] ?? []) as Array<[string, string[]]>
      const newest = (results?.[1]?.[1] ?? []) as Array<[string, string[]]>
      const events = entries.reverse().map(([id, fields]) => eventOf(id, fields)).filter((event): event is BusEvent => !!event)
      return { events, newestId: newest[0]?.[0] }
    },

    onEvent(listener) {
      listeners.push(listener)
    },

    ready,

    get publishedCount() {
      return published
    },

    async historyInfo() {
      const info = await streamInfo().catch(() => undefined)
      return { size: info?.length ?? 0, oldestId: info?.firstId, newestId: info?.lastId === '0-0' ? undefined : info?.lastId }
    },

    health: () => ({ kind: 'redis', connected: reading && writer.status === 'ready' && reader.status === 'ready', topology: 'single', received }),

    async close() {
      closed = true
      listeners.length = 0
      reader.disconnect()
      await writer.quit().catch(() => writer.disconnect())
    },
  }
}

/** A stream entry back into an event; entries this app did not write are skipped. */
function toBusEvent(id: string, fields: string[]): BusEvent | undefined {
  const entry = new Map<string, string>()
  for (let i = 0; i < fields.length; i += 2) entry.set(fields[i]!, fields[i + 1]!)
  const order = parseEventId(id)
  const topic = entry.get('topic')
  const data = entry.get('data')
  if (!order || !topic || data === undefined) return undefined
  try {
    return createBusEvent(order, { topic, event: entry.get('event') || 'message', data: JSON.parse(data) }, Number(entry.get('at')) || order[0])
  }
  catch {
    return undefined
  }
}

const byId = (a: string, b: string) => compareEventIds(parseEventId(a) ?? [0, 0], parseEventId(b) ?? [0, 0])
