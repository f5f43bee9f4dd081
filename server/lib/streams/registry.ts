import type { H3Event } from 'h3'
import { getRequestIP, setResponseHeader } from 'h3'
import { refuse } from '#server/lib/http'
import { countRefusal } from '#server/lib/metrics'

export interface StreamLimits {
  /** Open streams in this process; 0 = no cap. */
  maxStreams: number
  /** Open streams per client IP; 0 = no cap. */
  maxStreamsPerIp: number
  /** A stream older than this is ended cleanly (the client resumes, maybe on another instance); 0 = never. */
  maxLifetimeMs: number
  /** Read the client IP from X-Forwarded-For (only behind a proxy that sets it). */
  trustProxy: boolean
}

interface OpenStream {
  route: string
  openedAt: number
  end: () => void
}

const streams = new Set<OpenStream>()
const byIp = new Map<string, number>()
let draining = false
let sweeper: ReturnType<typeof setInterval> | undefined

function refuseStream(event: H3Event, code: 'streams.draining' | 'streams.full' | 'streams.per-ip', message: string, retryAfterSeconds: number): never {
  countRefusal(draining ? 'shutdown' : 'caps')
  setResponseHeader(event, 'retry-after', retryAfterSeconds)
  refuse(code, message)
}

/**
 * Admits one more stream of `route` or answers 503 with Retry-After (over a cap, or shutting
 * down), before any byte of the stream is sent; existing streams are never touched by a refusal.
 * `end` must close the stream cleanly; the returned release is idempotent, for every close path.
 */
export function admitStream(event: H3Event, route: string, limits: StreamLimits, end: () => void): () => void {
  if (draining) refuseStream(event, 'streams.draining', 'The server is shutting down; reconnect in a moment.', 1)
  // The peer's address costs a syscall: looked up only when there is a per-IP cap to keep.
  const ip = limits.maxStreamsPerIp > 0 ? getRequestIP(event, { xForwardedFor: limits.trustProxy }) ?? 'unknown' : undefined
  if (limits.maxStreams > 0 && streams.size >= limits.maxStreams) {
    refuseStream(event, 'streams.full', `This server holds its maximum of ${limits.maxStreams} streams; retry later.`, 5)
  }
  if (ip !== undefined && (byIp.get(ip) ?? 0) >= limits.maxStreamsPerIp) {
    refuseStream(event, 'streams.per-ip', `Too many open streams from this address (at most ${limits.maxStreamsPerIp}); close one first.`, 5)
  }
  const stream: OpenStream = { route, openedAt: Date.now(), end }
  streams.add(stream)
  if (ip !== undefined) byIp.set(ip, (byIp.get(ip) ?? 0) + 1)
  if (limits.maxLifetimeMs > 0) sweepEvery(limits.maxLifetimeMs)
  return () => {
    if (!streams.delete(stream) || ip === undefined) return
    const left = (byIp.get(ip) ?? 1) - 1
    if (left > 0) byIp.set(ip, left)
    else byIp.delete(ip)
  }
}

/** One timer for all streams: ends those past their lifetime so load rebalances across instances. */
function sweepEvery(maxLifetimeMs: number) {
  if (sweeper) return
  sweeper = setInterval(() => {
    const deadline = Date.now() - maxLifetimeMs
    for (const stream of streams) if (stream.openedAt <= deadline) stream.end()
  }, Math.max(100, Math.min(10_000, maxLifetimeMs / 4)))
  if (typeof sweeper === 'object' && 'unref' in sweeper) sweeper.unref()
}

/** Shutdown: refuse new streams and end every open one cleanly; clients reconnect with their ids. */
export function drainStreams(): void {
  draining = true
  clearInterval(sweeper)
  for (const stream of [...streams]) stream.end()
}

export function openStreams(): { total: number, byRoute: Record<string, number> } {
  const byRoute: Record<string, number> = {}
  for (const { route } of streams) byRoute[route] = (byRoute[route] ?? 0) + 1
  return { total: streams.size, byRoute }
}
