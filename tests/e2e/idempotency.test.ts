import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PublishResult } from '#shared/types/notify'
import { TOKEN } from '../support/instance'
import { type PostgresServer, startPostgres } from '../support/postgres'
import { type AppInstance, type RedisServer, startInstance, startRedis } from '../support/processes'
import { openSse, type SseReader } from '../support/sse'
import { ACCESS_ENV, publisherToken, subscriberToken } from '../support/tokens'

/**
 * `Idempotency-Key` on POST /api/notify/publish, against the production build: a retry with the same
 * key and body answers 200 with the first id and delivers nothing new; another body, 422; a bad key,
 * 400. On one instance (memory bus, SQLite) across a restart, and on two instances (Redis bus, one
 * PostgreSQL), for a stored topic (the key in the database) and one that isn't (the key in Redis).
 */
const dir = mkdtempSync(join(tmpdir(), 'notify-idempotency-'))
let postgres: PostgresServer
let redis: RedisServer

beforeAll(async () => {
  [postgres, redis] = await Promise.all([startPostgres(), startRedis()])
})

afterAll(async () => {
  await Promise.all([postgres?.dispose(), redis?.dispose()])
  rmSync(dir, { recursive: true, force: true })
})

const env = (databaseUrl: string, extra: Record<string, string> = {}) =>
  ({ ...ACCESS_ENV, NUXT_NOTIFY_PUBLISH_TOKEN: TOKEN, NUXT_NOTIFY_DEMO_PUBLISHER: 'false', NUXT_NOTIFY_MAX_STREAMS_PER_IP: '0', NUXT_NOTIFY_DATABASE_URL: databaseUrl, ...extra })

function publish(app: AppInstance, body: unknown, key?: string, bearer = TOKEN): Promise<Response> {
  return fetch(`${app.url}/api/notify/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'authorization': `Bearer ${bearer}`, ...(key === undefined ? {} : { 'idempotency-key': key }) },
    body: JSON.stringify(body),
  })
}

async function subscribe(app: AppInstance, topic: string): Promise<SseReader> {
  const token = await subscriberToken([topic])
  return openSse(`${app.url}/api/notify/events?topic=${encodeURIComponent(topic)}&access_token=${token}`)
}

const messages = (reader: SseReader) => reader.events.filter(event => event.event === 'message')
/** Long enough for a second delivery to arrive if there were one (a live event takes milliseconds). */
const settle = () => new Promise(resolve => setTimeout(resolve, 300))

describe('Idempotency-Key on one instance', () => {
  const databaseUrl = `file:${join(dir, 'one.sqlite')}`
  let app: AppInstance
  beforeAll(async () => {
    app = await startInstance(env(databaseUrl))
  })
  afterAll(async () => {
    await app?.stop()
  })

  it.each(['news', 'user:ida'])('on %s: a retry gets the first id and delivers nothing; another body 422', async (topic) => {
    const reader = await subscribe(app, topic)
    const key = `key-${topic}-1`
    const first = await publish(app, { topic, data: { n: 1 } }, key)
    expect(first.status).toBe(200)
    const { id } = await first.json() as PublishResult
    const retry = await publish(app, { topic, data: { n: 1 } }, key)
    expect(retry.status).toBe(200)
    expect(await retry.json()).toEqual({ id, topic, delivered: 0, duplicate: true })
    const other = await publish(app, { topic, data: { n: 2 } }, key)
    expect(other.status).toBe(422)
    expect(await other.json()).toMatchObject({ statusCode: 422, message: expect.stringMatching(/Idempotency-Key/) })
    await reader.until(r => messages(r).length >= 1)
    await settle()
    expect(messages(reader).map(event => event.id)).toEqual([id])
    reader.close()
  })

  it('keeps keys per publisher: another publisher\'s same key is its own', async () => {
    const mine = await (await publish(app, { topic: 'news', data: 'a' }, 'shared-key')).json() as PublishResult
    const token = await publisherToken(['news'], { sub: 'other-backend' })
    const theirs = await publish(app, { topic: 'news', data: 'a' }, 'shared-key', token)
    expect(theirs.status).toBe(200)
    const body = await theirs.json() as PublishResult
    expect(body.duplicate).toBeUndefined()
    expect(body.id).not.toBe(mine.id)
  })

  it('refuses a key that is not 1-128 visible characters, naming the header', async () => {
    for (const key of ['', 'has space', 'x'.repeat(129), 'tab\there', 'é']) {
      const response = await publish(app, { topic: 'news', data: 1 }, key)
      expect(response.status, JSON.stringify(key)).toBe(400)
      expect(await response.json()).toMatchObject({ statusCode: 400, message: expect.stringContaining('Idempotency-Key') })
    }
    expect((await publish(app, { topic: 'news', data: 1 }, 'x'.repeat(128))).status).toBe(200)
  })

  it('remembers a stored topic\'s key across a restart (it is in the database)', async () => {
    const first = await (await publish(app, { topic: 'user:rex', data: 'once' }, 'restart-key')).json() as PublishResult
    await app.stop()
    app = await startInstance(env(databaseUrl))
    const retry = await publish(app, { topic: 'user:rex', data: 'once' }, 'restart-key')
    expect(await retry.json()).toEqual({ id: first.id, topic: 'user:rex', delivered: 0, duplicate: true })
  })
})

describe('Idempotency-Key across two instances (Redis bus, one PostgreSQL)', () => {
  let a: AppInstance
  let b: AppInstance
  beforeAll(async () => {
    const databaseUrl = await postgres.createDatabase('idempotency_two')
    ;[a, b] = await Promise.all([startInstance(env(databaseUrl, { NUXT_NOTIFY_REDIS_URL: redis.url })), startInstance(env(databaseUrl, { NUXT_NOTIFY_REDIS_URL: redis.url }))])
  })
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()])
  })

  it.each(['news', 'user:ivy'])('on %s: the retry on the other instance gets the first id; delivered once', async (topic) => {
    const reader = await subscribe(b, topic)
    const key = `two-${topic}`
    const first = await (await publish(a, { topic, data: { n: 1 } }, key)).json() as PublishResult
    const retry = await publish(b, { topic, data: { n: 1 } }, key)
    expect(await retry.json()).toEqual({ id: first.id, topic, delivered: 0, duplicate: true })
    expect((await publish(b, { topic, data: { n: 2 } }, key)).status).toBe(422)
    await reader.until(r => messages(r).length >= 1)
    await settle()
    expect(messages(reader).map(event => event.id)).toEqual([first.id])
    reader.close()
  })

  it('two instances given one key at the same moment publish once', async () => {
    const reader = await subscribe(b, 'news')
    const answers = await Promise.all([publish(a, { topic: 'news', data: 'race' }, 'race-key'), publish(b, { topic: 'news', data: 'race' }, 'race-key')])
    const bodies = await Promise.all(answers.map(response => response.json() as Promise<PublishResult>))
    expect(answers.map(response => response.status)).toEqual([200, 200])
    expect(new Set(bodies.map(body => body.id)).size).toBe(1)
    expect(bodies.filter(body => body.duplicate)).toHaveLength(1)
    await reader.until(r => messages(r).length >= 1)
    await settle()
    expect(messages(reader)).toHaveLength(1)
    reader.close()
  })
})
