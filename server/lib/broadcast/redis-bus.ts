import { createError } from 'h3'
import { Redis, type RedisOptions } from 'ioredis'
import type { BusEvent, EventBus, PublishInput, ReplayResult } from './bus'
import { createBusEvent } from './bus'
import { parseEventId } from './event-id'
import type { HistoryLimits } from './history'
import { replayGap } from './history'

export interface RedisBusOptions {
  url: string
  /** The Redis stream that holds every topic's events. */
  key: string
  history: HistoryLimits
}

const BLOCK_MS = 5000
const RETRY_MS = 200
const READY_WAIT_MS = 2000

/**
 * The bus across instances, on one Redis stream. XADD gives each event its id, the same on every
 * instance, so a client can resume on any of them with Last-Event-ID; XRANGE replays; one blocking
 * XREAD loop per instance feeds the local hub (never one Redis connection per subscriber).
 * The stream is trimmed to about `history.size` entries and `history.maxAgeMs` of age; Redis records
 * the newest trimmed id, which tells a client that it missed too much.
 */
export function createRedisBus(options: RedisBusOptions): EventBus {
  const { key, history } = options
  // No offline queue: while Redis is away a publish fails at once (503) instead of hanging.
  const connection: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: times => Math.min(times * 200, 2000),
  }
  const writer = new Redis(options.url, { ...connection, connectionName: 'notify-writer' })
  const reader = new Redis(options.url, { ...connection, connectionName: 'notify-reader' })
  let lastLogged = 0
  const logError = (error: Error) => {
    // ioredis emits an error per reconnect attempt: one line every 10 s is enough.
    if (Date.now() - lastLogged < 10_000) return
    lastLogged = Date.now()
    console.warn(`[notify] Redis unavailable (${error.message}); retrying`)
  }
  writer.on('error', logError)
  reader.on('error', logError)

  const listeners: Array<(event: BusEvent) => void> = []
  let published = 0

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

  async function streamInfo() {
    try {
      const flat = await writer.call('XINFO', 'STREAM', key) as unknown[]
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

  const unavailable = () => createError({
    statusCode: 503,
    statusMessage: 'Service Unavailable',
    message: 'The message bus (Redis) is unavailable; the event was not published. Retry shortly.',
  })

  return {
    async publish(input: PublishInput) {
      // Until the reading loop has its place, an event published here could pass it by.
      if (!(await settlesWithin(ready, READY_WAIT_MS))) throw unavailable()
      const at = Date.now()
      let id: string | null | undefined
      try {
        const results = await writer.multi()
          .xadd(key, 'MAXLEN', '~', String(history.size), '*', 'topic', input.topic, 'event', input.event, 'data', JSON.stringify(input.data), 'at', String(at))
          .xtrim(key, 'MINID', '~', String(Math.max(0, at - history.maxAgeMs)))
          .exec()
        id = results?.[0]?.[1] as string | undefined
      }
      catch {
        throw unavailable()
      }
      const order = id ? parseEventId(id) : undefined
      if (!order) throw unavailable()
      published++
      return remember(createBusEvent(order, input, at))
    },

    async replay(topics, lastEventId): Promise<ReplayResult> {
      const info = await streamInfo()
      const seen = parseEventId(lastEventId)
      const newest = parseEventId(info.lastId)!
      const gap = replayGap(seen, newest, parseEventId(info.maxDeletedId)!)
      if (gap) return { reset: { reason: gap, oldestId: info.firstId }, newestId: info.lastId }
      const entries = await writer.xrange(key, `(${lastEventId}`, '+', 'COUNT', history.size)
      const events = entries.map(([id, fields]) => eventOf(id, fields)).filter((event): event is BusEvent => !!event && topics.has(event.topic))
      return { events }
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

    health: () => ({ kind: 'redis', connected: reading && writer.status === 'ready' && reader.status === 'ready' }),

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

function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<boolean>(resolve => (timer = setTimeout(resolve, ms, false)))
  return Promise.race([promise.then(() => true), timeout]).finally(() => clearTimeout(timer))
}
