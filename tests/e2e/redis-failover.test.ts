import { afterAll, describe, expect, it } from 'vitest'
import type { BroadcastPayload, PublishResult } from '#shared/types/notify'
import { topicKeys } from '../../server/lib/broadcast/topic-keys'
import { type AppInstance, startInstance } from '../support/processes'
import { startRedisCluster } from '../support/redis-cluster'
import { TOKEN } from '../support/server'
import { eventually, json, openSse, type SseReader } from '../support/sse'

// A real Redis Cluster (3 masters, 3 replicas, node timeout 1 s) under two instances; a master is
// killed with SIGKILL while both instances publish steadily.
const cluster = await startRedisCluster()
const env = {
  NUXT_NOTIFY_REDIS_CLUSTER_NODES: cluster.seeds,
  NUXT_NOTIFY_PUBLISH_TOKEN: TOKEN,
  NUXT_NOTIFY_DEMO_PUBLISHER: 'false',
  NUXT_NOTIFY_HEARTBEAT_MS: '200',
}
const [a, b] = await Promise.all([startInstance(env), startInstance(env)])
afterAll(async () => {
  await Promise.all([a.stop(), b.stop()])
  await cluster.dispose()
})

/** Topics on three different masters; `victim`'s master is the one killed. */
async function topicsOnThreeMasters() {
  const byMaster = new Map<number, string>()
  for (let n = 0; byMaster.size < 3; n++) {
    const topic = `failover.${n}`
    const master = await cluster.masterOf(topicKeys('notify', topic).slot)
    if (!byMaster.has(master)) byMaster.set(master, topic)
  }
  const [victim, other, third] = [...byMaster] as Array<[number, string]>
  return { victimPort: victim![0], victim: victim![1], other: other![1], third: third![1] }
}

interface Attempt {
  topic: string
  n: number
  at: number
  status: number
  id?: string
}

const compareIds = (x: string, y: string) => {
  const [xs, xq] = x.split('-').map(Number)
  const [ys, yq] = y.split('-').map(Number)
  return xs! - ys! || xq! - yq!
}
const ids = (reader: SseReader) => reader.events.map(event => event.id!)

async function open(instance: AppInstance, topics: string[], lastEventId?: string) {
  const query = topics.map(topic => `topic=${topic}`).join('&')
  return openSse(`${instance.url}/api/notify/events?${query}`, lastEventId ? { 'last-event-id': lastEventId } : {})
}

describe('a master killed during steady publishing', () => {
  it('publishes resume after the failover; every stream stays open and gets every acknowledged event, in id order', async () => {
    const { victimPort, victim, other, third } = await topicsOnThreeMasters()
    const both = await open(b, [victim, other])
    const victimOnly = await open(b, [victim])
    const elsewhere = await open(a, [other, third])
    const subscribed = (instance: AppInstance, topic: string, count: number) => eventually(
      () => instance.stats(),
      stats => (stats.connections.byTopic?.[topic] ?? 0) >= count,
    )
    await Promise.all([subscribed(b, victim, 2), subscribed(b, other, 1), subscribed(a, third, 1)])

    // A publisher per instance and topic, every 10 ms, each value unique: the other masters' topics
    // keep flowing while the victim's is away.
    const attempts: Attempt[] = []
    let stop = false
    let n = 0
    const publishers = [a, b].flatMap(instance => [victim, other, third].map(topic => [instance, topic] as const)).map(async ([instance, topic]) => {
      while (!stop) {
        const attempt: Attempt = { topic, n: n++, at: Date.now(), status: 0 }
        attempts.push(attempt)
        try {
          const response = await fetch(`${instance.url}/api/notify/publish`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'authorization': `Bearer ${TOKEN}` },
            body: JSON.stringify({ topic, data: attempt.n }),
            signal: AbortSignal.timeout(5000),
          })
          attempt.status = response.status
          if (response.ok) attempt.id = ((await response.json()) as PublishResult).id
          else await response.body?.cancel()
        }
        catch {
          attempt.status = -1
        }
        await new Promise(resolve => setTimeout(resolve, 10))
      }
    })
    await new Promise(resolve => setTimeout(resolve, 1000))
    const beatsBefore = both.comments.length

    const killedAt = Date.now()
    cluster.kill(victimPort)
    // A client resumes on A meanwhile, from where `both` is now: its replay waits for the slot.
    await new Promise(resolve => setTimeout(resolve, 300))
    const resumeFrom = both.events.at(-1)!.id!
    const seenBeforeResume = both.events.length
    const resumed = await open(a, [victim, other], resumeFrom)

    await cluster.failedOver(victimPort)
    const failedOverMs = Date.now() - killedAt
    // Publishing to the victim's topic works again, then goes on a while.
    const resumedAt = await eventually(async () => attempts.find(x => x.topic === victim && x.at > killedAt && x.status === 200)?.at, at => at !== undefined, 15_000)
    await new Promise(resolve => setTimeout(resolve, 1000))
    stop = true
    await Promise.all(publishers)

    const acknowledged = (topics: string[]) => attempts.filter(x => x.id && topics.includes(x.topic)).map(x => x.id!).sort(compareIds)
    // Refused (503) or unanswered publishes may still have been stored: a client may see them, never anything else.
    const attempted = new Set(attempts.map(x => x.n))
    const expectations: Array<[SseReader, string[], string[]]> = [
      [both, [victim, other], []],
      [victimOnly, [victim], []],
      [elsewhere, [other, third], []],
      [resumed, [victim, other], ids(both).slice(0, seenBeforeResume)],
    ]
    for (const [reader, topics, before] of expectations) {
      const wanted = acknowledged(topics).filter(id => before.length === 0 || compareIds(id, before.at(-1)!) > 0)
      await reader.until(s => wanted.every(id => s.events.some(event => event.id === id)), 20_000)
      const got = ids(reader)
      // In id order, each once, nothing acknowledged missing, nothing that was never published.
      expect([...got].sort(compareIds)).toEqual(got)
      expect(new Set(got).size).toBe(got.length)
      expect(wanted.filter(id => !got.includes(id))).toEqual([])
      for (const event of reader.events) {
        const payload = json<BroadcastPayload>(event)
        expect(topics).toContain(payload.topic)
        expect(attempted.has(payload.data as number)).toBe(true)
      }
    }
    // Every stream stayed open through it all.
    const stillOpen = await Promise.all([both, victimOnly, elsewhere, resumed].map(reader => Promise.race([reader.ended.then(() => false, () => false), new Promise(resolve => setTimeout(resolve, 50, true))])))
    expect(stillOpen).toEqual([true, true, true, true])
    // `both` lived on heartbeats while its victim topic's master was away.
    expect(both.comments.length).toBeGreaterThan(beatsBefore)

    const resumeMs = resumedAt! - killedAt
    const refused = attempts.filter(x => x.at > killedAt && x.status !== 200).length
    console.log(`[failover] replica took over ${failedOverMs} ms after the kill; publishes to its topic resumed after ${resumeMs} ms; ${refused} publishes refused meanwhile, ${attempts.filter(x => x.status === 200).length} acknowledged`)
    expect(resumeMs).toBeLessThan(failedOverMs + 3000)
    for (const reader of [both, victimOnly, elsewhere, resumed]) reader.close()
  }, 90_000)
})
