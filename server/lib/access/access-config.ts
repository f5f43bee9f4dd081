import { useRuntimeConfig } from 'nitropack/runtime'
import { parsePatternList } from './topic-patterns'

/** HS256 needs a key at least as long as its hash (RFC 7518 §3.2): 32 bytes. */
export const MIN_SECRET_BYTES = 32

export interface AccessConfig {
  /** Topics that need a grant to read. */
  privateTopics: string[]
  /** The HS256 key, or undefined when no usable secret is configured (every token is then refused). */
  jwtKey: Uint8Array | undefined
  /** Why there is no key, for the one start-up line and the 401s. */
  jwtProblem: string | undefined
  /** The admin token of `POST /api/notify/publish` (empty = none). */
  publishToken: string
  /** The operator's token (operator.ts): NUXT_NOTIFY_METRICS_TOKEN, else the publish token (empty = none). */
  operatorToken: string
  /** Lifetime of the subscriber tokens this server mints. */
  tokenTtlSeconds: number
}

let cached: AccessConfig | undefined

/** Read once per process (like useNotifyConfig): the values come from the environment at start-up. */
export function useAccessConfig(): AccessConfig {
  if (cached) return cached
  const notify = useRuntimeConfig().notify
  const secret = new TextEncoder().encode(String(notify.jwtSecret ?? ''))
  const jwtProblem = secret.byteLength === 0
    ? 'NUXT_NOTIFY_JWT_SECRET is not set'
    : secret.byteLength < MIN_SECRET_BYTES
      ? `NUXT_NOTIFY_JWT_SECRET is shorter than ${MIN_SECRET_BYTES} bytes`
      : undefined
  cached = {
    privateTopics: parsePatternList(String(notify.privateTopics ?? '')),
    jwtKey: jwtProblem ? undefined : secret,
    jwtProblem,
    publishToken: String(notify.publishToken ?? ''),
    operatorToken: String(notify.metricsToken || notify.publishToken || ''),
    tokenTtlSeconds: Number(notify.tokenTtlSeconds) || 900,
  }
  return cached
}
