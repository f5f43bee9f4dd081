import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HealthStatus, PublishResult } from '#shared/types/notify'
import { compareEventIds, parseEventId } from '#shared/utils/event-id'
import { TOKEN } from '../support/instance'
import { type PostgresServer, startPostgres } from '../support/postgres'
import { type AppInstance, startInstance } from '../support/processes'
import { openSse, type SseReader } from '../support/sse'
import { ACCESS_ENV, subscriberToken } from '../support/tokens'

/**
 * Stored topics (user:* by default) against the production build on a real SQLite file and a real
 * PostgreSQL server: a replay reaches past the live history and across restarts, ids keep rising,
 * a publish the database can't take is refused and delivered to no one, and kill -9 under load
 * loses no acknowledged event and leaves none delivered that isn't stored.
 */
const dir = mkdtempSync(join(tmpdir(), 'notify-stored-'))
let postgres: PostgresServer
let databases = 0

beforeAll(async () => {
  postgres = await startPostgres()
})

afterAll(async () => {
  await postgres?.dispose()
  rmSync(dir, { recursive: true, force: true })
})

const sqliteUrl = () => `file:${join(dir, `stored-${++databases}.sqlite`)}`

function start(databaseUrl: string, env: Record<string, string> = {}): Promise<AppInstance> {
  return startInstance({ ...ACCESS_ENV, NUXT_NOTIFY_PUBLISH_TOKEN: TOKEN, NUXT_NOTIFY_DEMO_PUBLISHER: 'false', NUXT_NOTIFY_MAX_STREAMS_PER_IP: '0', NUXT_NOTIFY_DATABASE_URL: databaseUrl, ...env })
}

async function subscribe(app: AppInstance, topic: string, lastEventId?: string): Promise<SseReader> {
  const token = await subscriberToken([topic])
  return openSse(`${app.url}/api/notify/events?topic=${encodeURIComponent(topic)}&access_token=${token}`, lastEventId ? { 'last-event-id': lastEventId } : {})
}

const messages = (reader: SseReader) => reader.events.filter(event => event.event === 'message')
const dataOf = (reader: SseReader) => messages(reader).map(event => JSON.parse(event.data).data)

async function health(app: AppInstance): Promise<HealthStatus> {
  return (await fetch(`${app.url}/api/health`, { signal: AbortSignal.timeout(2000) })).json() as Promise<HealthStatus>
}

/** Polls `probe` until `done` holds, or fails naming `what` after `ms`. */
async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms
  let last: T | undefined
  for (;;) {
    last = await probe().catch(() => last)
    if (last !== undefined && done(last)) return last
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms (last: ${JSON.stringify(last)})`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

describe.each([
  ['SQLite', async () => sqliteUrl()],
  ['PostgreSQL', async () => postgres.createDatabase(`stored_${++databases}`)],
])('stored topics on %s', (_, newDatabase) => {
  it('replays past the live history and across a restart, in order, once, then live; ids keep rising', async () => {
    const databaseUrl = await newDatabase()
    // A live history of two events: the third event back is only in the database.
    let app = await start(databaseUrl, { NUXT_NOTIFY_HISTORY_SIZE: '2' })
    const ids: string[] = []
    try {
      for (let n = 1; n <= 5; n++) ids.push((await app.publish({ topic: 'user:alice', data: { n } })).id)
      // The same on a topic that is not stored: the live history's reset, as before.
      const quiet = [] as string[]
      for (let n = 1; n <= 5; n++) quiet.push((await app.publish({ topic: 'news', data: { n } })).id)
      const reset = await openSse(`${app.url}/api/notify/events?topic=news`, { 'last-event-id': quiet[0]! })
      await reset.until(r => r.events.some(event => event.event === 'reset'))
      reset.close()

      const resumed = await subscribe(app, 'user:alice', ids[0])
      await resumed.until(r => messages(r).length >= 4)
      expect(dataOf(resumed)).toEqual([{ n: 2 }, { n: 3 }, { n: 4 }, { n: 5 }])
      expect(resumed.events.some(event => event.event === 'reset')).toBe(false)
      resumed.close()
    }
    finally {
      await app.stop()
    }

    // A new process on the same database: its memory history is empty, the database is not.
    app = await start(databaseUrl, { NUXT_NOTIFY_HISTORY_SIZE: '2' })
    try {
      const resumed = await subscribe(app, 'user:alice', ids[1])
      await resumed.until(r => messages(r).length >= 3)
      const next = await app.publish({ topic: 'user:alice', data: { n: 6 } })
      expect(compareEventIds(parseEventId(next.id)!, parseEventId(ids.at(-1)!)!)).toBeGreaterThan(0)
      await resumed.until(r => messages(r).length >= 4)
      expect(dataOf(resumed)).toEqual([{ n: 3 }, { n: 4 }, { n: 5 }, { n: 6 }])
      expect(messages(resumed).map(event => event.id)).toEqual([...ids.slice(2), next.id])
      expect(resumed.events.some(event => event.event === 'reset')).toBe(false)
      resumed.close()
    }
    finally {
      await app.stop()
    }
  })

  it('survives kill -9 under ~1,000 publishes/s: every acknowledged event is stored and replayed, none delivered unstored', async () => {
    const databaseUrl = await newDatabase()
    let app = await start(databaseUrl)
    const since = `${Date.now() - 1000}-0`
    const topics = ['user:k1', 'user:k2', 'user:k3', 'user:k4']
    const live = await Promise.all(topics.map(topic => subscribe(app, topic)))
    const acknowledged = new Set<string>()
    let refused = 0
    let killed = false
    // 50 publishers in a loop, each waiting for its answer: about 1,000/s on an idle 2-core machine
    // (fewer when it is busy: the rate is printed, the checks hold at any rate).
    const startedAt = Date.now()
    const publishers = Array.from({ length: 50 }, async (_, worker) => {
      for (let n = 0; !killed; n++) {
        try {
          const response = await fetch(`${app.url}/api/notify/publish`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'authorization': `Bearer ${TOKEN}` },
            body: JSON.stringify({ topic: topics[(worker + n) % topics.length], data: { worker, n } }),
          })
          if (response.status === 200) acknowledged.add(((await response.json()) as PublishResult).id)
          else refused++
        }
        catch {
          // The connection died with the server: neither acknowledged nor refused.
        }
      }
    })
    await new Promise(resolve => setTimeout(resolve, 3000))
    app.child.kill('SIGKILL')
    killed = true
    await Promise.all(publishers)
    console.log(`kill -9 after ${acknowledged.size} acknowledged publishes, ${Math.round(acknowledged.size / ((Date.now() - startedAt) / 1000))}/s`)
    for (const reader of live) reader.close()
    const delivered = new Set(live.flatMap(reader => messages(reader).map(event => event.id!)))
    expect(acknowledged.size).toBeGreaterThan(300)
    expect(refused).toBe(0)

    app = await start(databaseUrl)
    try {
      const replays = await Promise.all(topics.map(topic => subscribe(app, topic, since)))
      const replayed: string[] = []
      for (const reader of replays) {
        // The replay is written at once: wait until it stops growing.
        await eventually(async () => messages(reader).length, (() => {
          let previous = -1
          return (count: number) => {
            const steady = count === previous && count > 0
            previous = count
            return steady
          }
        })(), 'the replay to finish', 20_000)
        const ids = messages(reader).map(event => event.id!)
        const sorted = [...ids].sort((a, b) => compareEventIds(parseEventId(a)!, parseEventId(b)!))
        expect(ids).toEqual(sorted)
        expect(new Set(ids).size).toBe(ids.length)
        expect(reader.events.some(event => event.event === 'reset')).toBe(false)
        replayed.push(...ids)
        reader.close()
      }
      const stored = new Set(replayed)
      expect([...acknowledged].filter(id => !stored.has(id))).toEqual([])
      expect([...delivered].filter(id => !stored.has(id))).toEqual([])
    }
    finally {
      await app.stop()
    }
  }, 90_000)
})

describe('stored topics while the database is down (PostgreSQL)', () => {
  it('answer 503 with Retry-After, deliver to no one, leave other topics working, and recover by themselves', async () => {
    const server = await startPostgres()
    const app = await start(server.url)
    try {
      expect(await health(app)).toMatchObject({ status: 'ok', store: 'up' })
      const reader = await subscribe(app, 'user:bob')
      await app.publish({ topic: 'user:bob', data: { n: 1 } })
      await reader.until(r => messages(r).length === 1)

      await server.stop()
      const refused = await eventually(() => app.publishRaw({ topic: 'user:bob', data: { n: 2 } }), response => response.status === 503, 'a 503 for a stored topic')
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/)
      expect(await refused.json()).toMatchObject({ statusCode: 503, message: expect.stringMatching(/store/i) })
      expect((await app.publishRaw({ topic: 'news', data: { n: 1 } })).status).toBe(200)
      await eventually(() => health(app), h => h.store === 'down', 'health to say store: down')
      // Refused again at once while it is down (no wait on a dead database).
      const started = Date.now()
      expect((await app.publishRaw({ topic: 'user:bob', data: { n: 3 } })).status).toBe(503)
      expect(Date.now() - started).toBeLessThan(1000)

      await server.start()
      await eventually(() => app.publishRaw({ topic: 'user:bob', data: { n: 4 } }), response => response.status === 200, 'a stored publish to succeed again')
      await eventually(() => health(app), h => h.store === 'up' && h.status === 'ok', 'health to say store: up')
      await reader.until(r => messages(r).length >= 2)
      // What was refused reached no one.
      expect(dataOf(reader)).toEqual([{ n: 1 }, { n: 4 }])
      reader.close()
    }
    finally {
      await app.stop()
      await server.dispose()
    }
  }, 60_000)
})

describe('stored topics while the SQLite file is locked by another process', () => {
  it('answer 503 with Retry-After, leave other topics working, and recover when the lock goes', async () => {
    const file = join(dir, 'locked.sqlite')
    const app = await start(`file:${file}`)
    // Another process takes the write lock and holds it (as a backup tool or a stray sqlite3 shell could).
    const holder = spawn(process.execPath, ['-e', `
      const { DatabaseSync } = require('node:sqlite')
      const db = new DatabaseSync(${JSON.stringify(file)})
      db.exec('BEGIN EXCLUSIVE')
      db.exec("INSERT INTO schema_migrations VALUES (999, 'lock', 0)")
      console.log('locked')
      setInterval(() => {}, 1000)
    `], { stdio: ['ignore', 'pipe', 'inherit'] })
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout!.on('data', chunk => String(chunk).includes('locked') && resolve())
        holder.once('exit', code => reject(new Error(`the lock holder exited (${code})`)))
      })
      const refused = await app.publishRaw({ topic: 'user:lou', data: 1 })
      expect(refused.status).toBe(503)
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/)
      expect((await health(app)).store).toBe('down')
      // Other topics meanwhile: answered, and quickly (the lock's wait is bounded and taken by one probe a second).
      for (let i = 0; i < 10; i++) {
        const started = Date.now()
        expect((await app.publishRaw({ topic: 'news', data: i })).status).toBe(200)
        expect(Date.now() - started).toBeLessThan(500)
      }
    }
    finally {
      holder.kill('SIGKILL')
    }
    try {
      await eventually(() => app.publishRaw({ topic: 'user:lou', data: 2 }), response => response.status === 200, 'a stored publish once the lock is gone')
      await eventually(() => health(app), h => h.store === 'up', 'health to say store: up')
    }
    finally {
      await app.stop()
    }
  }, 60_000)
})
