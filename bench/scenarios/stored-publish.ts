/**
 * Stored publishes (issue 23 §5): the same Nuxt server, its store on SQLite (a file of its own) or on
 * PostgreSQL (a server of its own), takes `POST /api/notify/publish` from many keep-alive publishers:
 * - to a non-stored topic (`bench-<i>`): the reference, the live path alone;
 * - to stored topics (`user:bench-<i>`, NUXT_NOTIFY_STORED_TOPICS' default `user:*`), each
 *   committed (group commit, one transaction per batch) before its 200.
 * Two phases per server: a fixed rate (--publish-rate, 1,000/s) for the acknowledgement time, then
 * as fast as the answers come (closed loop) for the most it sustains. Afterwards the database is
 * read: every acknowledged stored publish must be a row.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DatabaseSync } from 'node:sqlite'
import pg from 'pg'
import type { Published } from '../load/publisher.ts'
import { profiled } from '../lib/inspector.ts'
import { withServer } from '../lib/load.ts'
import { PUBLISH_TOKEN, options } from '../lib/options.ts'
import type { BenchPostgres } from '../lib/postgres.ts'
import { startPostgres } from '../lib/postgres.ts'
import { meter, trackTempDir } from '../lib/processes.ts'
import type { Base, Table, TargetCheck } from '../lib/report.ts'
import { fixed, median, sum, table } from '../lib/report.ts'

export type StoredSeries = 'nuxt' | 'nuxt+sqlite' | 'nuxt+postgres'
export const STORED_SERIES: StoredSeries[] = ['nuxt', 'nuxt+sqlite', 'nuxt+postgres']

export interface StoredPublishResult extends Base {
  target: StoredSeries
  /** The fixed-rate phase: what was sustained and the ack time from each request's due time. */
  atRatePerSecond: number
  atRateAckMs: Published['ackMs']
  /** The closed-loop phase: the most sustained, and its ack time. */
  maxPerSecond: number
  maxAckMs: Published['ackMs']
  /** The closed-loop phase's group commits: rows each, ms each, and the share of its time spent committing. */
  rowsPerBatch: number
  commitMsPerBatch: number
  commitShare: number
  failed: number
  firstError?: string
  /** Server CPU per publish in the closed-loop phase, µs; the foreign load during it. */
  serverCpuPerPublishUs: number
  clientCpuSeconds: number
  otherCpuSeconds: number
  /**
   * Rows in `notifications` afterwards, and the stored publishes answered 200, warm-up seconds included
   * (rows >= acknowledged; a few more rows are publishes committed as the load hung up, never answered).
   */
  storedRows: number
  acknowledgedStored: number
}

/** The server's own store counters (GET /api/notify/metrics): rows, batches, seconds committing. */
async function storeCounters(port: number): Promise<{ writes: number, batches: number, seconds: number }> {
  const answer = await fetch(`http://127.0.0.1:${port}/api/notify/metrics`, { headers: { authorization: `Bearer ${PUBLISH_TOKEN}` }, signal: AbortSignal.timeout(10_000) })
  const text = await answer.text()
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN)
  return { writes: value('notify_store_writes_total'), batches: value('notify_store_write_batches_total'), seconds: value('notify_store_write_seconds_total') }
}

let postgres: BenchPostgres | undefined
let databases = 0

async function countRows(url: string): Promise<number> {
  if (url.startsWith('file:')) {
    const sqlite = process.getBuiltinModule('node:sqlite') as typeof import('node:sqlite')
    const db: DatabaseSync = new sqlite.DatabaseSync(url.slice('file:'.length), { readOnly: true })
    try {
      return Number((db.prepare('SELECT count(*) AS n FROM notifications').get() as { n: number }).n)
    }
    finally {
      db.close()
    }
  }
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM notifications')).rows[0]!.n)
  }
  finally {
    await client.end()
  }
}

export async function storedPublishScenario(target: StoredSeries, run: number): Promise<StoredPublishResult> {
  let url = `file:${join(trackTempDir(mkdtempSync(join(tmpdir(), 'nuxt-sse-bench-sqlite-'))), 'notify.sqlite')}`
  if (target === 'nuxt+postgres') {
    postgres ??= await startPostgres()
    url = await postgres.createDatabase(`bench_${++databases}`)
  }
  const stored = target !== 'nuxt'
  const result = await withServer('nuxt', async (server, client) => {
    const plan = { port: server.port, token: PUBLISH_TOKEN, topicPrefix: stored ? 'user:bench-' : 'bench-', topics: 100, connections: options.publishConnections }
    const timeoutMs = (options.publishSeconds + 30) * 1000
    const atRate = await client.ask({ type: 'publish-load', plan: { ...plan, rate: options.publishRate, seconds: options.publishSeconds, warmUpSeconds: 2 } }, 'published', timeoutMs)
    const { max, used, batches, rows, commitSeconds } = await profiled(server, `${target}-stored-publish-run${run}`, async () => {
      const cpu = meter(server.pid, client.pid)
      const before = await storeCounters(server.port)
      const max = await client.ask({ type: 'publish-load', plan: { ...plan, rate: 0, seconds: options.publishSeconds, warmUpSeconds: 2 } }, 'published', timeoutMs)
      const used = cpu()
      const after = await storeCounters(server.port)
      return { max, used, batches: after.batches - before.batches, rows: after.writes - before.writes, commitSeconds: after.seconds - before.seconds }
    })
    return {
      target,
      run,
      atRatePerSecond: atRate.perSecond,
      atRateAckMs: atRate.ackMs,
      maxPerSecond: max.perSecond,
      maxAckMs: max.ackMs,
      rowsPerBatch: batches ? rows / batches : 0,
      commitMsPerBatch: batches ? commitSeconds / batches * 1000 : 0,
      commitShare: commitSeconds / (options.publishSeconds + 2),
      failed: atRate.failed + max.failed,
      firstError: atRate.firstError ?? max.firstError,
      // The meter spans the warm-up seconds too: per publish, over all the answers of the phase's time.
      serverCpuPerPublishUs: used.server / (max.perSecond * (options.publishSeconds + 2)) * 1e6,
      clientCpuSeconds: used.client,
      otherCpuSeconds: used.other,
      acknowledgedStored: stored ? atRate.acknowledged + max.acknowledged : 0,
    }
  }, { NUXT_NOTIFY_DATABASE_URL: url, NUXT_NOTIFY_STORED_TOPICS: 'user:*' })
  // Counted once the server is gone: what it acknowledged is committed, whatever it still had open.
  return { ...result, storedRows: await countRows(url) }
}

export async function stopStoredPublish(): Promise<void> {
  await postgres?.stop()
  postgres = undefined
}

/** The targets on this machine: sustained stored publishes per second. */
const MIN_PER_SECOND: Partial<Record<StoredSeries, number>> = { 'nuxt+sqlite': 5000, 'nuxt+postgres': 2000 }
const MAX_ACK_P99_RATIO = 3

export function storedPublishTable(results: StoredPublishResult[], checks: TargetCheck[]): Table<StoredPublishResult> {
  const t = table(`Stored publishes: ${options.publishConnections} keep-alive publishers, ${options.publishSeconds} s windows; non-stored topic (nuxt) vs stored on SQLite / PostgreSQL`, 'stored-publish', results, checks, undefined, 'nuxt')
  t.metric('max sustained publishes/s', r => r.maxPerSecond, 0)
  t.metric('  ack p50 at max (ms)', r => r.maxAckMs.p50, 1)
  t.metric('  ack p99 at max (ms)', r => r.maxAckMs.p99, 1)
  t.metric(`publishes/s at ${options.publishRate}/s`, r => r.atRatePerSecond, 0)
  t.metric(`  ack p50 at ${options.publishRate}/s (ms)`, r => r.atRateAckMs.p50, 2)
  t.metric(`  ack p99 at ${options.publishRate}/s (ms)`, r => r.atRateAckMs.p99, 2)
  t.metric('  rows per group commit at max', r => r.rowsPerBatch, 1)
  t.metric('  ms per group commit at max', r => r.commitMsPerBatch, 2)
  t.metric('  share of the time committing at max', r => r.commitShare, 2)
  t.metric('server CPU per publish at max (µs)', r => r.serverCpuPerPublishUs, 0)
  t.metric('load client CPU (s)', r => r.clientCpuSeconds, 1)
  t.metric('other processes CPU (s)', r => r.otherCpuSeconds, 1)
  t.every('failed publishes', rs => String(sum(rs, r => r.failed)), undefined, '')
  t.every('stored rows / acknowledged', rs => `${sum(rs, r => r.storedRows)}/${sum(rs, r => r.acknowledgedStored)}`, undefined, '')
  const of = (target: StoredSeries) => results.filter(r => r.target === target).sort((a, b) => a.run - b.run)
  const reference = of('nuxt')
  for (const target of ['nuxt+sqlite', 'nuxt+postgres'] as const) {
    const runs = of(target)
    if (!runs.length) continue
    const min = MIN_PER_SECOND[target]!
    const rate = median(runs.map(r => r.maxPerSecond))
    t.check(`${target} sustained stored publishes >= ${min}/s`, `${fixed(rate, 0)}/s`, runs.map(r => fixed(r.maxPerSecond, 0)).join(', '), rate >= min)
    t.check(`${target} lost acknowledged publishes`, String(sum(runs, r => Math.max(0, r.acknowledgedStored - r.storedRows))), runs.map(r => `${r.storedRows}/${r.acknowledgedStored}`).join(', '), runs.every(r => r.storedRows >= r.acknowledgedStored))
    if (!reference.length) continue
    const ratio = median(runs.map(r => r.atRateAckMs.p99)) / median(reference.map(r => r.atRateAckMs.p99))
    const perRun = runs.map((r) => {
      const ref = reference.find(x => x.run === r.run)
      return ref ? fixed(r.atRateAckMs.p99 / ref.atRateAckMs.p99, 2) : '-'
    }).join(', ')
    t.check(`${target} ack p99 at ${options.publishRate}/s <= ${MAX_ACK_P99_RATIO}x non-stored`, `${fixed(ratio, 2)}x`, perRun, ratio <= MAX_ACK_P99_RATIO)
  }
  return t
}
