import type { NotifyClaim } from '#shared/types/notify'
import { SignJWT, errors, jwtVerify } from 'jose'
import { z } from 'zod'
import { topicPatternSchema } from './topic-patterns'
import { VerifiedTokenCache } from './verified-token-cache'

/** The one algorithm accepted: `alg: none`, RS256, ES256... are refused before any key is used. */
export const TOKEN_ALGORITHM = 'HS256'
/** Longer than any token this app mints by far; a bigger one is refused unread. */
export const MAX_TOKEN_LENGTH = 4096
const MAX_PATTERNS = 64

const claimsSchema = z.object({
  sub: z.string().min(1).max(256).optional(),
  exp: z.number().int(),
  notify: z.object({
    subscribe: z.array(topicPatternSchema).max(MAX_PATTERNS).optional(),
    publish: z.array(topicPatternSchema).max(MAX_PATTERNS).optional(),
  }).strip().optional(),
})

export interface VerifiedToken {
  sub?: string
  /** Seconds since the epoch. */
  exp: number
  subscribe: readonly string[]
  publish: readonly string[]
}

/** Why a token was refused, in words safe to send back: never the token, never what it claims. */
export class TokenRefused extends Error {
  constructor(readonly code: 'token.expired' | 'token.invalid', message: string) {
    super(message)
  }
}

/** Tokens remembered per signing key: a few thousand reconnecting clients' worth (each entry is ~1 KB at most typical sizes). */
export const VERIFIED_TOKEN_CACHE_SIZE = 4096

interface KeyState {
  /** The HMAC key imported into Web Crypto once, not on every verification. */
  cryptoKey: Promise<CryptoKey>
  verified: VerifiedTokenCache<VerifiedToken>
}
// By the key's identity: the configured key is one Uint8Array for the life of the process.
const keyStates = new WeakMap<Uint8Array, KeyState>()

function keyState(key: Uint8Array): KeyState {
  let state = keyStates.get(key)
  if (!state) {
    const cryptoKey = crypto.subtle.importKey('raw', key as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])
    state = { cryptoKey, verified: new VerifiedTokenCache(VERIFIED_TOKEN_CACHE_SIZE) }
    keyStates.set(key, state)
  }
  return state
}

/**
 * Verifies signature, algorithm, `exp` (required), `nbf`, and the shape of the `notify` claim. A
 * token that passed is remembered (verbatim, under this key) until its `exp`, so a reconnect with it
 * skips the HMAC; a refusal is never remembered. The result is frozen: callers share it.
 */
export async function verifyToken(token: string, key: Uint8Array): Promise<VerifiedToken> {
  if (token.length > MAX_TOKEN_LENGTH) throw new TokenRefused('token.invalid', `The token is longer than ${MAX_TOKEN_LENGTH} characters.`)
  const state = keyState(key)
  const cached = state.verified.get(token)
  if (cached) return cached
  let payload: unknown
  try {
    ({ payload } = await jwtVerify(token, await state.cryptoKey, { algorithms: [TOKEN_ALGORITHM], requiredClaims: ['exp'] }))
  }
  catch (error) {
    throw new TokenRefused(error instanceof errors.JWTExpired ? 'token.expired' : 'token.invalid', refusal(error))
  }
  const claims = claimsSchema.safeParse(payload)
  if (!claims.success) throw new TokenRefused('token.invalid', 'The token\'s claims are malformed ("sub" a string, "exp" a number, "notify.subscribe"/"notify.publish" lists of topic names or "prefix*" patterns).')
  const { sub, exp, notify } = claims.data
  const verified: VerifiedToken = Object.freeze({
    sub,
    exp,
    subscribe: Object.freeze(notify?.subscribe ?? []),
    publish: Object.freeze(notify?.publish ?? []),
  })
  state.verified.set(token, verified)
  return verified
}

function refusal(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'The token has expired.'
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) return `The token is not signed with ${TOKEN_ALGORITHM}.`
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'The token\'s signature is not valid.'
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'exp') return 'The token has no valid "exp" claim.'
    if (error.claim === 'nbf') return 'The token is not valid yet ("nbf").'
    return `The token's "${error.claim}" claim is not valid.`
  }
  return 'The token is not a well-formed JWT.'
}

export interface MintOptions {
  /** Who it is for (the user id, or a backend's name). */
  sub: string
  notify: NotifyClaim
  ttlSeconds: number
}

/**
 * Mints a token this server accepts: for another backend that publishes to some topics, or a
 * cross-origin client that can't carry the session cookie. `exp` is always set.
 */
export async function mintToken(options: MintOptions, key: Uint8Array): Promise<{ token: string, exp: number }> {
  const exp = Math.floor(Date.now() / 1000) + options.ttlSeconds
  const token = await new SignJWT({ notify: options.notify })
    .setProtectedHeader({ alg: TOKEN_ALGORITHM, typ: 'JWT' })
    .setSubject(options.sub)
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(key)
  return { token, exp }
}
