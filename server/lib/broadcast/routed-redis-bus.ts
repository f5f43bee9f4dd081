import { randomBytes } from 'node:crypto'
import { refusal } from '#server/lib/http'
import { Cluster, Redis, type RedisOptions } from 'ioredis'
import type { BusEvent, EventBus, PublishInput, RecentResult, ReplayResult } from './bus'
import { createBusEvent } from './bus'
import type { ResetPayload } from '#shared/types/notify'
import type { EventId } from '#shared/utils/event-id'
import { compareEventIds, parseEventId } from '#shared/utils/event-id'
import type { HistoryLimits } from './history'
import { OrderedRelease } from './ordered-release'
import { ResumeTail } from './resume-tail'
import { PUBLISH_SCRIPT, RECENT_SCRIPT, TICK_SCRIPT } from './routed-scripts'
import { type TopicKeys, tickChannel, topicKeys, topicOfChannel } from './topic-keys'

export interface RoutedRedisBusOptions {
  /** One Redis (`redis://host:6379/0`), or... */
  url?: string
  /** ...the seed nodes of a Redis Cluster (`host:port`). */
  clusterNodes?: string[]
  /** Prefix of every key and channel (`notify`). */
  prefix: string
  /** Per topic: at most `size` events, none older than `maxAgeMs`. */
  history: HistoryLimits
  /** A publish to a master with replicas waits this long for one of them to have it, else 503. 0 = no wait. */
  replicaWaitMs: number
  /** Bytes of recent events kept in memory to answer resumes without Redis (resume-tail.ts). 0 = none. */
  resumeTailBytes?: number
}

/** The default of `resumeTailBytes`: thousands of recent events across the topics held. */
export const DEFAULT_RESUME_TAIL_BYTES = 16 * 1024 * 1024

/** A seq no real id reaches (n * 16384 + slot): `<ms>-MAX_SEQ` is "everything of that ms". */
const MAX_SEQ = 999_999_999_999_999
const REPLAY_WAIT_MS = 2000
const RETRY_MS = 250
const TICK_TIMEOUT_MS = 1000
const RECONCILE_MS = 500

// How a connection behaves while Redis is away, and how that is logged and answered.

/** No offline queue: while Redis is away a publish fails at once (503) instead of hanging. */
const REDIS_CONNECTION: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  retryStrategy: times => Math.min(times * 200, 2000),
}

/** How long a publish waits for the bus to be ready (its reading loop placed) before it answers 503. */
const READY_WAIT_MS = 2000

/** A connection `error` listener: ioredis emits one per reconnect attempt, one line every 10 s is enough. */
function redisErrorLogger(): (error: Error) => void {
  let lastLogged = 0
  return (error) => {
    if (Date.now() - lastLogged < 10_000) return
    lastLogged = Date.now()
    console.warn(`[notify] Redis unavailable (${error.message}); retrying`)
  }
}

/** The 503 a publish gets while Redis can't take it. */
function busUnavailable() {
  return refusal('bus.unavailable', 'The message bus (Redis) is unavailable; the event was not published. Retry shortly.')
}

/** True when `promise` settles within `ms`, false at the deadline (the timer never outlives the race). */
function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<boolean>(resolve => (timer = setTimeout(resolve, ms, false)))
  return Promise.race([promise.then(() => true), timeout]).finally(() => clearTimeout(timer))
}

type Command = Redis | Cluster
/** One topic's part of a replay. */
type Gap = { events: BusEvent[] } | { reset: ResetPayload }
type NotifyCommands = Command & {
  notifyPublish(stream: string, clock: string, channel: string, ...args: Array<string | number>): Promise<string>
  notifyTick(channel: string): Promise<number>
  notifyRecent(stream: string, limit: number): Promise<[string, Array<[string, string[]]>]>
}

/** One master's connection for sharded subscriptions; its events and ticks come in stamp order. */
interface Link {
  /** `host:port` of the master (`single` on one Redis); also its name as a release source. */
  key: string
  redis: Redis
  topics: Set<string>
  tick: { slot: number, channel: string }
  /** Subscribed and caught up since the connection last (re)opened: its watermarks count. */
  synced: boolean
  whenSynced: Promise<void>
  markSynced: () => void
  /** Highest ms seen while (re)syncing; becomes the watermark once caught up. */
  seenMs: number
  /** Topics moved away from this link (failover) not yet caught up elsewhere: it still holds the others back. */
  moving: number
  generation: number
  tickTimer?: ReturnType<typeof setTimeout>
}

interface HeldTopic {
  keys: TopicKeys
  refs: number
  link: Link
  /** Subscribed and caught up on `link`; replaced when the topic moves to another master. */
  joined: Promise<void>
  /** Settles when the topic moves off `link` (which may never sync again: its master is gone). */
  moved: Promise<void>
  markMoved: () => void
}

/**
 * The bus across instances, routed by topic, on one Redis or a Redis Cluster.
 *
 * - History: one stream per topic (`notify:{topic}`, hash-tagged so it lives in one slot), trimmed
 *   to `history.size` events and `history.maxAgeMs`, expired when idle that long.
 * - Live: the topic's sharded channel (SSUBSCRIBE/SPUBLISH, same slot). An instance subscribes only
 *   to the topics its clients hold, on one connection per master: it receives nothing of the others.
 * - Order: ids are stamped by the master's clock (routed-scripts.ts), so one connection's events come
 *   in ms order; OrderedRelease merges the masters and releases an event once every master has
 *   passed its ms. Every instance therefore hands its clients events in id order, and a client's
 *   Last-Event-ID X means "every event of my topics up to X": replay is the events after X, exact.
 * - Loss of a connection (Redis restart, failover): that master's watermark stops, so nothing later
 *   is released; once resubscribed (on the new master after a failover) each topic is read back from
 *   its stream from the frontier on, then delivery resumes, in order, nothing missing or doubled.
 */
export function createRoutedRedisBus(options: RoutedRedisBusOptions): EventBus {
  const { prefix, history } = options
  const instanceId = randomBytes(6).toString('hex')
  const clustered = !!options.clusterNodes?.length
  const command = (clustered
    ? new Cluster(options.clusterNodes!.map(parseNode), {
        enableOfflineQueue: false,
        // Cluster-wide no offline queue (503 while the cluster is down); ioredis' node connections queue
        // their first commands until they connect, bounded by the command timeout.
        redisOptions: { maxRetriesPerRequest: 1, commandTimeout: 3000, connectionName: 'notify-command' },
        clusterRetryStrategy: times => Math.min(times * 200, 2000),
        retryDelayOnFailover: 200,
        retryDelayOnClusterDown: 200,
        // Reads stay on masters: a replica may lag behind what was released.
        scaleReads: 'master',
      })
    : new Redis(options.url!, { ...REDIS_CONNECTION, connectionName: 'notify-command' })) as NotifyCommands
  command.defineCommand('notifyPublish', { numberOfKeys: 3, lua: PUBLISH_SCRIPT })
  command.defineCommand('notifyTick', { numberOfKeys: 1, lua: TICK_SCRIPT })
  command.defineCommand('notifyRecent', { numberOfKeys: 1, lua: RECENT_SCRIPT })

  const logError = redisErrorLogger()
  command.on('error', logError)

  const listeners: Array<(event: BusEvent) => void> = []
  const tail = new ResumeTail(options.resumeTailBytes ?? DEFAULT_RESUME_TAIL_BYTES, history.size)
  /**
   * Topics joined while the frontier was still 0 (the first master's first tick not in): the join read
   * their whole stream, trimmed or not, so the tail starts only once the frontier is known.
   */
  const tailsToStart = new Set<string>()
  function startTails() {
    if (tailsToStart.size === 0 || release.frontier === 0) return
    for (const topic of tailsToStart) tail.start(topic, [release.frontier - 1, MAX_SEQ])
    tailsToStart.clear()
  }
  const release = new OrderedRelease((event) => {
    startTails()
    tail.record(event)
    for (const listener of listeners) listener(event)
  })
  const links = new Map<string, Link>()
  const held = new Map<string, HeldTopic>()
  const frontierWaiters = new Set<{ ms: number, resolve: () => void }>()
  let published = 0
  let received = 0
  let ticks = 0
  let closed = false
  let singleReplicas = 0

  let commandReady = false
  const ready = new Promise<void>((resolve) => {
    command.once('ready', () => resolve())
  })
  command.on('ready', () => {
    commandReady = true
    if (!clustered) void readReplicaCount()
  })
  command.on('close', () => (commandReady = false))
  command.on('end', () => (commandReady = false))

  async function readReplicaCount() {
    try {
      const info = await command.info('replication')
      singleReplicas = Number(/connected_slaves:(\d+)/.exec(info)?.[1] ?? 0)
    }
    catch {
      // Unknown until the next connect: keep the last count.
    }
  }
  const replicaTimer = clustered ? undefined : setInterval(() => void readReplicaCount(), 10_000)
  replicaTimer?.unref()

  function replicasOf(slot: number): number {
    if (!clustered) return singleReplicas
    const nodes = (command as Cluster).slots[slot]
    return nodes ? nodes.length - 1 : 0
  }

  function masterOf(slot: number): string | undefined {
    return clustered ? (command as Cluster).slots[slot]?.[0] : 'single'
  }

  function firstSlotOf(key: string): number {
    if (!clustered) return 0
    const slots = (command as Cluster).slots
    for (let slot = 0; slot < slots.length; slot++) if (slots[slot]?.[0] === key) return slot
    return 0
  }

  // --- links: one subscriber connection per master -------------------------------------------------

  function newSyncPromise(link: Link) {
    link.whenSynced = new Promise(resolve => (link.markSynced = resolve))
  }

  function linkFor(key: string): Link {
    let link = links.get(key)
    if (link) return link
    const redisOptions: RedisOptions = { ...REDIS_CONNECTION, autoResubscribe: false, connectionName: 'notify-subscriber' }
    const redis = clustered
      ? new Redis({ ...redisOptions, ...parseNode(key) })
      : new Redis(options.url!, redisOptions)
    const slot = firstSlotOf(key)
    link = { key, redis, topics: new Set(), tick: { slot, channel: tickChannel(prefix, slot, instanceId) }, synced: false, whenSynced: Promise.resolve(), markSynced: () => {}, seenMs: 0, moving: 0, generation: 0 }
    newSyncPromise(link)
    links.set(key, link)
    const current = link
    redis.on('error', logError)
    redis.on('ready', () => void sync(current))
    redis.on('close', () => lost(current))
    redis.on('smessage', (channel: string, message: string) => onMessage(current, channel, message))
    return link
  }

  function lost(link: Link) {
    link.generation++
    if (link.synced) {
      link.synced = false
      newSyncPromise(link)
    }
    if (clustered) scheduleReconcile()
  }

  /** (Re)subscribes everything the link holds, reads back what may have been missed, then counts it. */
  async function sync(link: Link) {
    const generation = ++link.generation
    link.synced = false
    link.seenMs = 0
    try {
      await subscribeAll(link, [link.tick.channel, ...[...link.topics].map(topic => held.get(topic)!.keys.channel)])
      await catchUp([...link.topics])
      if (generation !== link.generation || closed) return
      link.synced = true
      if (link.topics.size > 0 || link.moving > 0) release.mark(link.key, link.seenMs)
      link.markSynced()
      requestTick(link)
    }
    catch (error) {
      if (closed || generation !== link.generation) return
      logError(error as Error)
      setTimeout(() => {
        if (generation === link.generation && link.redis.status === 'ready') void sync(link)
      }, RETRY_MS).unref()
    }
  }

  /** SSUBSCRIBE takes the channels of one slot at a time. */
  async function subscribeAll(link: Link, channels: string[]) {
    const bySlot = new Map<number, string[]>()
    for (const channel of channels) {
      const slot = channel === link.tick.channel ? link.tick.slot : held.get(topicOfChannel(prefix, channel)!)!.keys.slot
      bySlot.set(slot, [...(bySlot.get(slot) ?? []), channel])
    }
    await Promise.all([...bySlot.values()].map(group => link.redis.ssubscribe(...group)))
  }

  /** Reads back each topic's events from the frontier on; the release drops what it already has. */
  async function catchUp(topics: string[]) {
    const from = `${release.frontier}-0`
    await Promise.all(topics.map(async (topic) => {
      const entry = held.get(topic)
      if (!entry) return
      const entries = await command.xrange(entry.keys.stream, from, '+')
      for (const [id, fields] of entries) {
        const event = eventOfEntry(id, fields)
        if (!event) continue
        received++
        release.offer(event)
      }
    }))
    // What was read back waits for the masters' clocks like any event: ask the quiet ones.
    pump()
  }

  function onMessage(link: Link, channel: string, message: string) {
    if (channel === link.tick.channel) {
      clearTimeout(link.tickTimer)
      // At most one tick per ms per master: its clock moves on in whole ms.
      link.tickTimer = setTimeout(() => {
        link.tickTimer = undefined
        pump()
      }, 1)
      advance(link, Number(message))
      return
    }
    const topic = topicOfChannel(prefix, channel)
    if (!topic || !held.has(topic)) return
    const event = eventOfMessage(topic, message)
    if (!event) return
    received++
    release.offer(event)
    advance(link, event.order[0])
  }

  function advance(link: Link, ms: number) {
    if (!Number.isFinite(ms)) return
    if (!link.synced) {
      link.seenMs = Math.max(link.seenMs, ms)
      return
    }
    if (release.has(link.key)) release.mark(link.key, ms)
    for (const waiter of frontierWaiters) {
      if (release.frontier > waiter.ms) waiter.resolve()
    }
    pump()
  }

  /** Whatever waits (held events, a replay) for the frontier: ask the masters still below it for a tick. */
  function pump() {
    let wanted = release.waitingSince ?? -1
    for (const waiter of frontierWaiters) wanted = Math.max(wanted, waiter.ms)
    if (wanted < 0) return
    for (const key of release.sourcesAtOrBelow(wanted)) {
      const link = links.get(key)
      if (link) requestTick(link)
    }
  }

  function requestTick(link: Link) {
    if (closed || !link.synced || link.tickTimer) return
    // The tick's message clears the timer; one lost on the way only costs TICK_TIMEOUT_MS.
    link.tickTimer = setTimeout(() => {
      link.tickTimer = undefined
      pump()
    }, TICK_TIMEOUT_MS)
    link.tickTimer.unref()
    ticks++
    command.notifyTick(link.tick.channel).catch(() => {})
  }

  // --- topics ------------------------------------------------------------------------------------

  async function join(topic: string, entry: HeldTopic) {
    const link = entry.link
    const moved = entry.moved
    for (;;) {
      if (closed) return
      await Promise.race([link.whenSynced, moved])
      if (entry.link !== link || held.get(topic) !== entry) return
      try {
        await link.redis.ssubscribe(entry.keys.channel)
        await catchUp([topic])
        return
      }
      catch {
        await new Promise(resolve => setTimeout(resolve, RETRY_MS))
      }
    }
  }

  /** Until the topic is joined where it is now, following it when it moves. */
  async function joinedWherever(entry: HeldTopic) {
    for (;;) {
      const joined = entry.joined
      await joined
      if (entry.joined === joined || closed) return
    }
  }

  function attach(topic: string, entry: HeldTopic, link: Link) {
    entry.markMoved()
    entry.moved = new Promise(resolve => (entry.markMoved = resolve))
    entry.link = link
    link.topics.add(topic)
    if (!release.has(link.key)) {
      // A master this instance did not listen to: it holds the others back until its first tick.
      release.mark(link.key, 0)
      requestTick(link)
    }
  }

  function detach(topic: string, link: Link) {
    link.topics.delete(topic)
    if (link.topics.size === 0 && link.moving === 0) release.forget(link.key)
  }

  // --- failover: topics whose slot has a new master move there ----------------------------------

  let reconcileTimer: ReturnType<typeof setTimeout> | undefined
  function scheduleReconcile() {
    if (reconcileTimer || closed) return
    reconcileTimer = setTimeout(() => {
      reconcileTimer = undefined
      void reconcile()
    }, RECONCILE_MS)
    reconcileTimer.unref()
  }

  /** The cluster's slot map read again (settles either way; the old map stays on failure). */
  function refreshSlots(): Promise<void> {
    return new Promise(resolve => (command as Cluster).refreshSlotsCache(() => resolve()))
  }

  let lastRefresh = 0
  /** At most every RECONCILE_MS, whoever asks. */
  function refreshSlotsSoon() {
    if (Date.now() - lastRefresh < RECONCILE_MS) return
    lastRefresh = Date.now()
    return refreshSlots()
  }

  async function reconcile() {
    await refreshSlots()
    if (closed) return
    for (const [topic, entry] of held) {
      const master = masterOf(entry.keys.slot)
      const from = entry.link
      if (!master || master === from.key) continue
      const to = linkFor(master)
      // The old link keeps holding the release back until the topic is caught up on the new one.
      from.moving++
      detach(topic, from)
      attach(topic, entry, to)
      entry.joined = join(topic, entry).finally(() => {
        from.moving--
        if (from.topics.size === 0 && from.moving === 0) retire(from)
      })
    }
    for (const link of links.values()) {
      if (link.topics.size > 0 && masterOf(link.tick.slot) !== link.key) {
        const slot = firstSlotOf(link.key)
        link.tick = { slot, channel: tickChannel(prefix, slot, instanceId) }
        if (link.synced) link.redis.ssubscribe(link.tick.channel).catch(() => {})
      }
    }
    if ([...links.values()].some(link => !link.synced && (link.topics.size > 0 || link.moving > 0))) scheduleReconcile()
  }

  function retire(link: Link) {
    release.forget(link.key)
    clearTimeout(link.tickTimer)
    links.delete(link.key)
    link.redis.disconnect()
  }
  const reshardTimer = clustered ? setInterval(() => held.size > 0 && void reconcile().catch(() => {}), 5000) : undefined
  reshardTimer?.unref()

  // --- replay -----------------------------------------------------------------------------------

  /** Settles when the frontier has passed `ms`, or false after `timeoutMs`. */
  function frontierPast(ms: number, timeoutMs: number): Promise<boolean> {
    if (release.frontier > ms) return Promise.resolve(true)
    return new Promise((resolve) => {
      const waiter = { ms, resolve: () => finish(true) }
      const timer = setTimeout(() => finish(false), timeoutMs)
      function finish(result: boolean) {
        clearTimeout(timer)
        frontierWaiters.delete(waiter)
        resolve(result)
      }
      frontierWaiters.add(waiter)
      pump()
    })
  }

  async function streamState(stream: string) {
    try {
      const flat = await command.call('XINFO', 'STREAM', stream) as unknown[]
      const info = new Map<string, unknown>()
      for (let i = 0; i < flat.length; i += 2) info.set(String(flat[i]), flat[i + 1])
      const first = info.get('first-entry') as [string] | null
      return { maxDeletedId: String(info.get('max-deleted-entry-id') ?? '0-0'), firstId: first?.[0] }
    }
    catch (error) {
      if (/no such key/i.test(String(error))) return undefined
      throw error
    }
  }

  /** Reads of a topic's stream under way for a cursor, that fill the tail in: later resumes wait for them. */
  const fills = new Map<string, Array<{ cursor: EventId, done: Promise<unknown> }>>()

  /**
   * One topic's events in `(seen, frontier)`: from the tail when it provably has them all, else from
   * the topic's stream, and that answer fills the tail in, so the rest of a storm finds it there.
   * Only a cursor within the history's age is served from memory: past it Redis decides, as before,
   * whether history still has everything after it.
   */
  async function gapOf(topic: string, lastEventId: string, seen: EventId, frontier: number): Promise<Gap> {
    startTails()
    const recent = seen[0] >= frontier - history.maxAgeMs
    const cached = recent ? tail.after(topic, seen, frontier) : undefined
    if (cached) return { events: cached }
    if (!recent) return readGap(topic, lastEventId, seen, frontier)
    const under = fills.get(topic)?.find(fill => compareEventIds(fill.cursor, seen) <= 0)
    if (under) {
      await under.done.catch(() => {})
      const filled = tail.after(topic, seen, frontier)
      if (filled) return { events: filled }
    }
    const read = readGap(topic, lastEventId, seen, frontier).then((gap) => {
      if ('events' in gap) tail.backfill(topic, seen, [frontier - 1, MAX_SEQ], gap.events)
      return gap
    })
    const fill = { cursor: seen, done: read }
    const list = fills.get(topic) ?? []
    fills.set(topic, [...list, fill])
    try {
      return await read
    }
    finally {
      const rest = fills.get(topic)?.filter(other => other !== fill)
      if (rest?.length) fills.set(topic, rest)
      else fills.delete(topic)
    }
  }

  /** The topic's events in `(lastEventId, frontier)` from its stream, or the reset when some are gone. */
  async function readGap(topic: string, lastEventId: string, seen: EventId, frontier: number): Promise<Gap> {
    const { stream } = topicKeys(prefix, topic)
    const [state, entries] = await Promise.all([streamState(stream), command.xrange(stream, `(${lastEventId}`, String(frontier - 1))])
    // Events after the client's id were trimmed, or the whole stream expired (idle maxAgeMs).
    const trimmed = state && compareEventIds(parseEventId(state.maxDeletedId) ?? [0, 0], seen) > 0
    const expired = !state && seen[0] < frontier - history.maxAgeMs
    if (trimmed || expired) return { reset: { reason: 'history-expired', oldestId: state?.firstId } }
    return { events: entries.map(([id, fields]) => eventOfEntry(id, fields)).filter((event): event is BusEvent => !!event) }
  }

  return {
    async publish(input: PublishInput) {
      if (!(await settlesWithin(ready, READY_WAIT_MS)) || !commandReady) throw busUnavailable()
      const keys = topicKeys(prefix, input.topic)
      const at = Date.now()
      let replicas = options.replicaWaitMs > 0 ? replicasOf(keys.slot) : 0
      let results: Array<[Error | null, unknown]> | null | undefined
      // A pipeline that meets a moved slot (the cluster failed over, our map is stale) is not
      // redirected by ioredis as a whole: nothing was written, so learn the new map and send it again.
      for (let attempt = 0; ; attempt++) {
        const pipeline = command.pipeline() as ReturnType<Command['pipeline']> & { notifyPublish: (...args: Array<string | number>) => unknown }
        pipeline.notifyPublish(keys.stream, keys.clock, keys.channel, input.topic, input.event, JSON.stringify(input.data), at, history.size, history.maxAgeMs, keys.slot)
        if (replicas > 0) pipeline.call('WAIT', 1, options.replicaWaitMs)
        try {
          results = await pipeline.exec()
        }
        catch {
          // Most likely the slot's master is gone: have the new map ready for the client's retry.
          if (clustered) void refreshSlotsSoon()
          throw busUnavailable()
        }
        const first = results?.[0]?.[0]
        if (first && clustered && !/^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN)/.test(first.message)) void refreshSlotsSoon()
        if (!clustered || attempt >= 2 || !first || !/^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN)/.test(first.message)) break
        await refreshSlots()
        replicas = options.replicaWaitMs > 0 ? replicasOf(keys.slot) : 0
      }
      const [error, id] = results?.[0] ?? [new Error('no reply')]
      if (error) {
        if (/CLOCKBEHIND/.test(error.message)) throw refusal('bus.clock-behind', 'The topic\'s Redis master has just taken over and its clock is behind; retry shortly.')
        throw busUnavailable()
      }
      if (replicas > 0) {
        const [waitError, acknowledged] = results![1] ?? [new Error('no reply')]
        if (waitError || Number(acknowledged) < 1) {
          throw refusal('bus.unconfirmed', `No Redis replica confirmed the event within ${options.replicaWaitMs} ms, so it could be lost if its master fails; retry.`)
        }
      }
      const order = parseEventId(String(id))
      if (!order) throw busUnavailable()
      published++
      return createBusEvent(order, input, at)
    },

    listen(topics) {
      const joins: Promise<void>[] = [ready]
      for (const topic of topics) {
        let entry = held.get(topic)
        if (entry) {
          entry.refs++
          joins.push(joinedWherever(entry))
          continue
        }
        const keys = topicKeys(prefix, topic)
        // Before the cluster's slot map is known, a topic waits for it on the first seed's link.
        const master = masterOf(keys.slot)
        entry = { keys, refs: 1, link: undefined as unknown as Link, joined: Promise.resolve(), moved: Promise.resolve(), markMoved: () => {} }
        held.set(topic, entry)
        if (master) {
          attach(topic, entry, linkFor(master))
          entry.joined = join(topic, entry)
        }
        else {
          const pending = entry
          entry.joined = ready.then(() => {
            if (held.get(topic) !== pending || closed) return
            attach(topic, pending, linkFor(masterOf(keys.slot) ?? 'single'))
            return join(topic, pending)
          })
        }
        const joined = joinedWherever(entry)
        const started = entry
        // From here on every event of the topic is released, so the tail is proof of what came after
        // the frontier of this moment (nothing released later is below it).
        void joined.then(() => {
          if (held.get(topic) !== started || closed) return
          tailsToStart.add(topic)
          startTails()
        })
        joins.push(joined)
      }
      return Promise.all(joins).then(() => {})
    },

    unlisten(topics) {
      for (const topic of topics) {
        const entry = held.get(topic)
        if (!entry || --entry.refs > 0) continue
        held.delete(topic)
        tail.drop(topic)
        tailsToStart.delete(topic)
        const link = entry.link
        if (!link) continue
        detach(topic, link)
        if (link.redis.status === 'ready') link.redis.sunsubscribe(entry.keys.channel).catch(() => {})
      }
    },

    async replay(topics, lastEventId): Promise<ReplayResult> {
      const seen = parseEventId(lastEventId)
      // A client that was on a faster instance may be a few ms ahead of this one's frontier.
      if (seen) await frontierPast(seen[0], REPLAY_WAIT_MS)
      const frontier = release.frontier
      const upTo = `${frontier - 1}-${MAX_SEQ}`
      if (!seen || seen[0] >= frontier) return { reset: { reason: 'unknown-id' }, newestId: upTo }
      const gaps = await Promise.all([...topics].map(topic => gapOf(topic, lastEventId, seen, frontier)))
      const events: BusEvent[] = []
      for (const gap of gaps) {
        if ('reset' in gap) return { reset: gap.reset, newestId: upTo }
        events.push(...gap.events)
      }
      if (gaps.length > 1) events.sort((x, y) => compareEventIds(x.order, y.order))
      return { events, upTo }
    },

    async recent(topic, limit): Promise<RecentResult> {
      const [clock, entries] = await command.notifyRecent(topicKeys(prefix, topic).stream, limit)
      const events = entries.reverse().map(([id, fields]) => eventOfEntry(id, fields)).filter((event): event is BusEvent => !!event)
      // A resume point for a stream of this topic: its newest event, or (when that is older) the
      // end of the ms before the read, since whatever comes later is stamped at its ms or after.
      const beforeRead: [number, number] = [Number(clock) - 1, MAX_SEQ]
      const newest = events.at(-1)?.order
      const point = newest && compareEventIds(newest, beforeRead) > 0 ? newest : beforeRead
      return { events, newestId: `${point[0]}-${point[1]}` }
    },

    onEvent(listener) {
      listeners.push(listener)
    },

    ready,

    get publishedCount() {
      return published
    },

    async historyInfo() {
      const lengths = await Promise.all([...held.values()].map(entry => command.xlen(entry.keys.stream).catch(() => 0)))
      const frontier = release.frontier
      return { size: lengths.reduce((sum, length) => sum + length, 0), newestId: frontier > 0 ? `${frontier - 1}-${MAX_SEQ}` : undefined }
    },

    health: () => ({
      kind: 'redis',
      connected: commandReady && [...links.values()].every(link => link.synced || (link.topics.size === 0 && link.moving === 0)),
      topology: clustered ? 'cluster' : 'single',
      received,
      ticks,
      subscriptions: held.size,
    }),

    async close() {
      closed = true
      listeners.length = 0
      clearInterval(replicaTimer)
      clearInterval(reshardTimer)
      clearTimeout(reconcileTimer)
      for (const waiter of frontierWaiters) waiter.resolve()
      for (const link of links.values()) {
        clearTimeout(link.tickTimer)
        link.redis.disconnect()
      }
      links.clear()
      await command.quit().catch(() => command.disconnect())
    },
  }
}

function parseNode(node: string): { host: string, port: number } {
  const at = node.lastIndexOf(':')
  return { host: node.slice(0, at), port: Number(node.slice(at + 1)) }
}

/** A live message, `<id>\n<event>\n<at>\n<data JSON>` (routed-scripts.ts), back into an event. */
function eventOfMessage(topic: string, message: string): BusEvent | undefined {
  const [id, event, at] = message.split('\n', 3)
  const data = message.slice(`${id}\n${event}\n${at}\n`.length)
  return toBusEvent(id!, topic, event, at, data)
}

/** A history entry back into an event; entries this app did not write are skipped. */
function eventOfEntry(id: string, fields: string[]): BusEvent | undefined {
  const entry = new Map<string, string>()
  for (let i = 0; i < fields.length; i += 2) entry.set(fields[i]!, fields[i + 1]!)
  return toBusEvent(id, entry.get('topic'), entry.get('event'), entry.get('at'), entry.get('data'))
}

function toBusEvent(id: string, topic: string | undefined, event: string | undefined, at: string | undefined, data: string | undefined): BusEvent | undefined {
  const order = parseEventId(id)
  if (!order || !topic || data === undefined) return undefined
  try {
    return createBusEvent(order, { topic, event: event || 'message', data: JSON.parse(data) }, Number(at) || order[0])
  }
  catch {
    return undefined
  }
}
