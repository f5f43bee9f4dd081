import { SignJWT, base64url } from 'jose'
import type { NotifyClaim } from '#shared/types/notify'

/** The secrets the access tests start the app with (each at least 32 bytes). */
export const JWT_SECRET = 'test-jwt-secret-0123456789abcdef0123456789'
export const SESSION_PASSWORD = 'test-session-password-0123456789abcdef'
export const ACCESS_ENV = { NUXT_NOTIFY_JWT_SECRET: JWT_SECRET, NUXT_SESSION_PASSWORD: SESSION_PASSWORD }

const key = (secret: string) => new TextEncoder().encode(secret)
const now = () => Math.floor(Date.now() / 1000)

export interface TokenOptions {
  sub?: string
  notify?: NotifyClaim
  /** Seconds from now; `null` = no `exp` claim at all. Default 300. */
  expiresIn?: number | null
  /** Seconds from now for `nbf`. */
  notBefore?: number
  alg?: 'HS256' | 'HS384' | 'HS512'
  secret?: string
}

/** A real JWT, signed with jose, as another backend would mint it. */
export function signToken(options: TokenOptions = {}): Promise<string> {
  const jwt = new SignJWT({ ...(options.notify ? { notify: options.notify } : {}) })
    .setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT' })
    .setIssuedAt()
  if (options.sub) jwt.setSubject(options.sub)
  if (options.expiresIn !== null) jwt.setExpirationTime(now() + (options.expiresIn ?? 300))
  if (options.notBefore !== undefined) jwt.setNotBefore(now() + options.notBefore)
  return jwt.sign(key(options.secret ?? JWT_SECRET))
}

export const subscriberToken = (subscribe: string[], options: TokenOptions = {}) => signToken({ sub: 'tester', ...options, notify: { subscribe } })
export const publisherToken = (publish: string[], options: TokenOptions = {}) => signToken({ sub: 'backend', ...options, notify: { publish } })

/** `alg: none`, unsigned: the classic forgery every verifier must refuse. */
export function unsignedToken(claims: Record<string, unknown>): string {
  const part = (value: unknown) => base64url.encode(JSON.stringify(value))
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`
}

/** The same token with one character of its signature changed. */
export function tamperedSignature(token: string): string {
  const last = token.at(-2) === 'A' ? 'B' : 'A'
  return `${token.slice(0, -2)}${last}${token.at(-1)}`
}

/** Every kind of token the server must refuse with a 401, named for the test output. */
export async function refusedTokens(subscribe: string[]): Promise<Array<[string, string]>> {
  const valid = await subscriberToken(subscribe)
  return [
    ['alg none', unsignedToken({ sub: 'x', exp: now() + 300, notify: { subscribe } })],
    ['HS384 instead of HS256', await subscriberToken(subscribe, { alg: 'HS384' })],
    ['signed with another secret', await subscriberToken(subscribe, { secret: 'another-secret-that-is-long-enough-0123' })],
    ['a bad signature', tamperedSignature(valid)],
    ['expired', await subscriberToken(subscribe, { expiresIn: -60 })],
    ['not yet valid', await subscriberToken(subscribe, { notBefore: 600 })],
    ['without exp', await subscriberToken(subscribe, { expiresIn: null })],
    ['with a malformed notify claim', await signToken({ notify: { subscribe: 'user:*' as unknown as string[] } })],
    ['with a pattern that has * inside', await subscriberToken(['us*r:alice'])],
    ['garbage', 'not-a-jwt'],
    ['three dots of garbage', 'a.b.c'],
    ['truncated', valid.slice(0, valid.length - 10)],
    ['huge', `${valid}${'A'.repeat(5000)}`],
  ]
}
