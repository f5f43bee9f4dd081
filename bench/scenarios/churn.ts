/**
 * Churn: --churn subscribe → first frame → leave cycles, 50 at a time, half with a FIN, half with a
 * RST: connections per second and server CPU per cycle (what a reconnect storm after a deploy costs),
 * and the server's own count of open streams back to 0 after it. The token variant does the same with
 * a subscriber token per connect (HS256 JWT, private topic `user:<sub>`), on a build that has them.
 */
import { SignJWT } from 'jose'
import { touch, waitForNoStreams } from '../lib/http.ts'
import { memory, profiled } from '../lib/inspector.ts'
import { withServer } from '../lib/load.ts'
import type { TargetName } from '../lib/options.ts'
import { JWT_SECRET, options } from '../lib/options.ts'
import { meter } from '../lib/processes.ts'
import type { Base, Table, TargetCheck } from '../lib/report.ts'
import { fixed, median, sum, table } from '../lib/report.ts'
import type { Server } from '../lib/servers.ts'

export interface ChurnResult extends Base {
  cycles: number
  ok: number
  failed: number
  firstError?: string
  perSecond: number
  /** From opening the socket to the first frame, as the load client saw it. */
  firstFrameP50Ms: number
  firstFrameP99Ms: number
  cpuSeconds: number
  /** Server CPU per subscribe/leave cycle, in µs. */
  cpuPerCycleUs: number
  writeSyscalls: number
  idleRssMB: number
  rssAfterMB: number
  openAfter: number
}

/** Users of the token variant: each one's token is used for cycles/users connects (a client reconnecting). */
const TOKEN_USERS = 300
const PRIVATE_PATH = '/api/notify/events?topic=user:bench-{user}'
/** Env for a build with subscriber tokens; a build without them ignores it. */
const TOKEN_ENV = { NUXT_NOTIFY_JWT_SECRET: JWT_SECRET, NUXT_NOTIFY_PRIVATE_TOPICS: 'user:*' }

async function measureChurn(server: Server, client: { pid: number, ask: import('../lib/load.ts').LoadClient['ask'] }, label: string, cycles: number, run: number, withTokens: boolean): Promise<ChurnResult> {
  const idle = await memory(server, true)
  const path = withTokens ? PRIVATE_PATH : '/api/notify/events?topic=churn'
  const tokens = withTokens ? { secret: JWT_SECRET, users: TOKEN_USERS, ttlSeconds: 600 } : undefined
  const { churned, used } = await profiled(server, `${label}-churn-${cycles}-run${run}`, async () => {
    // The tokens are minted before the client starts its clock; the meter includes that client time only.
    const cpu = meter(server.pid, client.pid)
    const churned = await client.ask({ type: 'churn', port: server.port, path, cycles, timeoutMs: 120_000, tokens }, 'churned', 130_000)
    return { churned, used: cpu() }
  })
  const openAfter = await waitForNoStreams(server.port, 10_000)
  const after = await memory(server, true)
  return {
    target: label,
    run,
    cycles,
    ok: churned.ok,
    failed: churned.failed,
    firstError: churned.firstError,
    perSecond: churned.perSecond,
    firstFrameP50Ms: churned.firstFrameMs.p50,
    firstFrameP99Ms: churned.firstFrameMs.p99,
    cpuSeconds: used.server,
    cpuPerCycleUs: used.server / Math.max(1, churned.ok) * 1e6,
    writeSyscalls: used.writeSyscalls,
    idleRssMB: idle.rssMB,
    rssAfterMB: after.rssMB,
    openAfter,
  }
}

export function churnScenario(target: TargetName, cycles: number, run: number): Promise<ChurnResult> {
  return withServer(target, (server, client) => measureChurn(server, client, target, cycles, run, false))
}

/**
 * The token variant, on Nuxt only; `skipped` says why when this build has no subscriber tokens
 * (a private topic is served without one) or refuses the bench's token.
 */
export function tokenChurnScenario(cycles: number, run: number): Promise<ChurnResult | { skipped: string }> {
  return withServer('nuxt', async (server, client) => {
    const anonymous = await touch(server.port, '/api/notify/events?topic=user:bench-0')
    if (anonymous === 200) return { skipped: 'this build serves the private topic user:bench-0 without a token (no subscriber tokens here: NUXT_NOTIFY_JWT_SECRET is not read)' }
    const token = await new SignJWT({ notify: { subscribe: ['user:bench-0'] } }).setProtectedHeader({ alg: 'HS256' }).setSubject('bench-0').setExpirationTime('10m').sign(new TextEncoder().encode(JWT_SECRET))
    const granted = await touch(server.port, `/api/notify/events?topic=user:bench-0&access_token=${token}`)
    if (granted !== 200) return { skipped: `this build refuses a private topic without a token (${anonymous}) and also with the bench's HS256 token for sub=bench-0 (${granted}): its claims differ from what the bench mints (sub, exp, notify.subscribe)` }
    await waitForNoStreams(server.port, 5000)
    return measureChurn(server, client, 'nuxt+token', cycles, run, true)
  }, TOKEN_ENV)
}

/** Anonymous churn (judged) and, where it ran, the token variant beside it. */
export function churnTable(results: ChurnResult[], checks: TargetCheck[]): Table<ChurnResult> {
  const t = table(`Churn: ${options.churnCycles} subscribe/leave cycles (half FIN, half RST)`, 'churn', results, checks, 'nuxt')
  t.metric('connections per second', r => r.perSecond, 0, { min: 0.8 })
  t.metric('time to first frame p50 (ms)', r => r.firstFrameP50Ms, 1)
  t.metric('time to first frame p99 (ms)', r => r.firstFrameP99Ms, 1, { max: 1.5 })
  t.every('cycles failed', rs => String(sum(rs, r => r.failed)), r => r.failed === 0, '0')
  t.metric('server CPU (s)', r => r.cpuSeconds, 2)
  t.metric('server CPU per cycle (µs)', r => r.cpuPerCycleUs, 0, { max: 1.25 })
  t.metric('server write syscalls', r => r.writeSyscalls, 0)
  t.metric('idle RSS, GC (MB)', r => r.idleRssMB, 1)
  t.metric('RSS after churn, GC (MB)', r => r.rssAfterMB, 1)
  t.every('stats connections.total after', rs => String(Math.max(...rs.map(r => r.openAfter))), r => r.openAfter === 0, '0')
  const anonymous = results.filter(r => r.target === 'nuxt')
  const tokens = results.filter(r => r.target === 'nuxt+token')
  if (anonymous.length && tokens.length) {
    const pick = (r: ChurnResult) => r.cpuPerCycleUs
    const ratio = median(tokens.map(pick)) / median(anonymous.map(pick))
    t.check('token per connect: CPU per cycle, token / anonymous (reported)', `${fixed(ratio, 2)}x`, tokens.map(r => fixed(pick(r), 0)).join(', '), true)
    if (tokens.some(r => r.failed > 0)) t.check('token per connect: cycles failed', String(sum(tokens, r => r.failed)), tokens[0]?.firstError ?? '', false)
  }
  return t
}
