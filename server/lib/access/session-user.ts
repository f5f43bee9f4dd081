import type { H3Event, SessionConfig } from 'h3'
import type { SessionUser } from '#shared/types/notify'
import { USER_ID_PATTERN } from '#shared/utils/notify'
import { getCookie } from 'h3'
import { refusal } from '#server/lib/http'
import { useRuntimeConfig } from 'nitropack/runtime'
// nuxt-auth-utils' server API, the module its auto-imports come from (the same instance). By path: no
// auto-import reaches server/lib, the package exports no subpath, and `#imports` is typed for the app
// where these files are also checked (typed routes).
import { getUserSession, requireUserSession } from '../../../node_modules/nuxt-auth-utils/dist/runtime/server/utils/session'

/** What the sealed session cookie needs (iron: a password of at least 32 characters). */
export const MIN_SESSION_PASSWORD_LENGTH = 32

/** nuxt-auth-utils' own session config: `runtimeConfig.session`, password from NUXT_SESSION_PASSWORD. */
function sessionConfig(): SessionConfig {
  const session = (useRuntimeConfig().session ?? {}) as Partial<SessionConfig>
  return { ...session, name: session.name || 'nuxt-session', password: process.env.NUXT_SESSION_PASSWORD || String(session.password ?? '') }
}

export function sessionPasswordProblem(): string | undefined {
  const { password } = sessionConfig()
  if (!password) return 'NUXT_SESSION_PASSWORD is not set'
  if (password.length < MIN_SESSION_PASSWORD_LENGTH) return `NUXT_SESSION_PASSWORD is shorter than ${MIN_SESSION_PASSWORD_LENGTH} characters`
  return undefined
}

/** Whether the request carries the session cookie at all (signed in or not: it is read from it). */
export function hasSessionCookie(event: H3Event): boolean {
  return !!getCookie(event, sessionConfig().name!)
}

/**
 * The signed-in user of this request's session cookie, if any, through nuxt-auth-utils'
 * `getUserSession`. A request without the cookie is not given a session (nuxt-auth-utils would
 * start one, a Set-Cookie on every stream), and without a usable password there are no sessions.
 */
export async function readSessionUser(event: H3Event): Promise<SessionUser | undefined> {
  if (!hasSessionCookie(event) || sessionPasswordProblem()) return undefined
  const session = await getUserSession(event).catch(() => undefined)
  return sessionUserOf(session?.user)
}

/**
 * The signed-in user, or nuxt-auth-utils' `requireUserSession` 401 with `message`. A request without
 * the cookie, or a server without a usable session password, has no one signed in: the same 401
 * without asking nuxt-auth-utils, which would start a session for it (a Set-Cookie on a refusal), or
 * fail with a 500.
 */
export async function requireSessionUser(event: H3Event, message: string): Promise<SessionUser> {
  const refused = () => refusal('session.missing', message)
  if (!hasSessionCookie(event) || sessionPasswordProblem()) throw refused()
  const session = await requireUserSession(event, { statusCode: 401, message }).catch(() => {
    throw refused()
  })
  const user = sessionUserOf(session.user)
  if (!user) throw refused()
  return user
}

/** Only a session user of the shape this app writes (login.post.ts) counts. */
function sessionUserOf(user: Partial<SessionUser> | undefined): SessionUser | undefined {
  return typeof user?.id === 'string' && USER_ID_PATTERN.test(user.id) && typeof user.name === 'string' ? { id: user.id, name: user.name } : undefined
}
