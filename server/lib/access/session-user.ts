import type { H3Event, SessionConfig } from 'h3'
import type { SessionUser } from '#shared/types/notify'
import { USER_ID_PATTERN } from '#shared/utils/notify'
import { getCookie, useSession } from 'h3'
import { useRuntimeConfig } from 'nitropack/runtime'

/** What the sealed session cookie needs (iron: a password of at least 32 characters). */
export const MIN_SESSION_PASSWORD_LENGTH = 32

/**
 * nuxt-auth-utils' own session config: `runtimeConfig.session`, password from NUXT_SESSION_PASSWORD.
 * Read here through h3's `useSession` (which nuxt-auth-utils wraps), the same sealed cookie.
 */
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
 * The signed-in user of this request's session cookie, if any. A request without the cookie is not
 * given a session (no Set-Cookie on a stream), and without a usable password there are no sessions.
 */
export async function readSessionUser(event: H3Event): Promise<SessionUser | undefined> {
  const config = sessionConfig()
  if (!getCookie(event, config.name!) || sessionPasswordProblem()) return undefined
  const session = await useSession<{ user?: Partial<SessionUser> }>(event, config).catch(() => undefined)
  const user = session?.data.user
  return typeof user?.id === 'string' && USER_ID_PATTERN.test(user.id) && typeof user.name === 'string' ? { id: user.id, name: user.name } : undefined
}
