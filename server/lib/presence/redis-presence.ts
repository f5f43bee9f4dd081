import { randomBytes } from 'node:crypto'
import { Cluster, Redis } from 'ioredis'
import { presenceKey } from '#server/lib/broadcast'
import { type LocalStreams, type Presence, countUserTopics } from './presence'
import { PRESENCE_COUNT_SCRIPT, PRESENCE_SET_SCRIPT } from './presence-scripts'

export interface RedisPresenceOptions {
  /** One Redis (`redis://host:6379/0`), or the seed nodes of a Redis Cluster (`host:port`): the bus's own. */
  url?: string
  clusterNodes?: string[]
  /** The bus's key prefix (`notify`). */
  prefix: string
  /** Each instance rewrites its entries this often; an entry not rewritten for 1.5 of it is gone. */
  heartbeatMs: number
}

type PresenceCommands = (Redis | Cluster) & {
  presenceSet(key: string, instanceId: string, streams: number, ttlMs: number): Promise<number>
  presenceCount(key: string, instanceId: string): Promise<number>
}

/** How long a goodbye may take at shutdown before the entries are left to expire. */
const GOODBYE_MS = 2000

/**
 * Presence over Redis, for several instances. Each instance keeps, per topic it holds, one field of
 * that topic's presence hash (`<prefix>:presence:{<topic>}`, in the topic's slot): its stream count
 * and a deadline. It writes the field when its count changes (batched per tick) and rewrites all of
 * them every heartbeat with a deadline 1.5 heartbeats ahead: an instance killed without a goodbye
 * stops counting within 2 heartbeats. A reader sums the live fields of the others and its own count.
 */
export function createRedisPresence(local: LocalStreams, options: RedisPresenceOptions): Presence {
  const instanceId = randomBytes(6).toString('hex')
  const ttlMs = Math.max(1, Math.round(options.heartbeatMs * 1.5))
  const command = connect(options)
  command.defineCommand('presenceSet', { numberOfKeys: 1, lua: PRESENCE_SET_SCRIPT })
  command.defineCommand('presenceCount', { numberOfKeys: 1, lua: PRESENCE_COUNT_SCRIPT })
  const logError = errorLogger()
  command.on('error', logError)

  /** Topics whose field this instance holds in Redis (or is writing). */
  const written = new Set<string>()
  const dirty = new Set<string>()
  let flushTimer: ReturnType<typeof setTimeout> | undefined
  let closed = false

  function write(topic: string, streams: number): Promise<unknown> {
    if (streams > 0) written.add(topic)
    else if (!written.delete(topic)) return Promise.resolve()
    return command.presenceSet(presenceKey(options.prefix, topic), instanceId, streams, ttlMs).catch(logError)
  }

  function flush() {
    flushTimer = undefined
    for (const topic of dirty) void write(topic, local.subscriberCount(topic))
    dirty.clear()
  }

  local.onSubscribersChanged((topics) => {
    if (closed) return
    for (const topic of topics) dirty.add(topic)
    // One write per topic per tick, however many streams of it came or went in that tick.
    flushTimer ??= setTimeout(flush, 0)
  })

  function rewriteAll() {
    const byTopic = local.subscribersByTopic()
    for (const [topic, streams] of Object.entries(byTopic)) void write(topic, streams)
    // A goodbye that failed (Redis away) is said again; the entry would expire anyway.
    for (const topic of written) if (!byTopic[topic]) void write(topic, 0)
  }
  // Streams the hub already had before presence started (a Worker's first use) count at once.
  rewriteAll()
  const refresh = setInterval(rewriteAll, options.heartbeatMs)
  refresh.unref()

  return {
    async streams(topic) {
      const others = await command.presenceCount(presenceKey(options.prefix, topic), instanceId)
      return local.subscriberCount(topic) + Number(others)
    },
    onlineUsersHere: () => countUserTopics(local.subscribersByTopic()),
    async close() {
      closed = true
      clearInterval(refresh)
      clearTimeout(flushTimer)
      const goodbyes = Promise.all([...written].map(topic => write(topic, 0)))
      let timer: ReturnType<typeof setTimeout> | undefined
      await Promise.race([goodbyes, new Promise(resolve => (timer = setTimeout(resolve, GOODBYE_MS)))])
      clearTimeout(timer)
      await command.quit().catch(() => command.disconnect())
    },
  }
}

/** A command connection like the bus's: no offline queue (a read while Redis is away fails at once). */
function connect(options: RedisPresenceOptions): PresenceCommands {
  if (options.clusterNodes?.length) {
    return new Cluster(options.clusterNodes.map(parseNode), {
      enableOfflineQueue: false,
      redisOptions: { maxRetriesPerRequest: 1, commandTimeout: 3000, connectionName: 'notify-presence' },
      clusterRetryStrategy: times => Math.min(times * 200, 2000),
      retryDelayOnFailover: 200,
      retryDelayOnClusterDown: 200,
      scaleReads: 'master',
    }) as PresenceCommands
  }
  return new Redis(options.url!, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: times => Math.min(times * 200, 2000),
    connectionName: 'notify-presence',
  }) as PresenceCommands
}

function parseNode(node: string): { host: string, port: number } {
  const at = node.lastIndexOf(':')
  return { host: node.slice(0, at), port: Number(node.slice(at + 1)) }
}

/** One line every 10 s while Redis is away, as the bus logs it. */
function errorLogger(): (error: Error) => void {
  let lastLogged = 0
  return (error) => {
    if (Date.now() - lastLogged < 10_000) return
    lastLogged = Date.now()
    console.warn(`[notify] presence: Redis unavailable (${error.message}); retrying`)
  }
}
