import type { H3Event } from 'h3'
import { USER_ID_PATTERN, userTopic } from '#shared/utils/notify'
import { useAccessConfig } from './access-config'
import { readPresentedToken } from './credentials'
import { unauthorized } from './refusals'
import { readSessionUser } from './session-user'
import { matchesAny } from './topic-patterns'
import { TokenRefused, verifyToken } from './tokens'

/**
 * The user a request acts for, on routes about that user's own things (their push devices): the
 * session's user, else a subscriber token's `sub` when the token grants reading that user's own topic
 * `user:<sub>` (a token minted for them). 401 otherwise; a refused token is never ignored.
 */
export async function authenticateUser(event: H3Event): Promise<{ id: string }> {
  const user = await readSessionUser(event)
  if (user) return { id: user.id }
  const presented = readPresentedToken(event)
  if (!presented) unauthorized(event, 'Sign in, or send a subscriber token for your own topic (Authorization: Bearer).')
  const { jwtKey } = useAccessConfig()
  if (!jwtKey) unauthorized(event, 'This server accepts no tokens: it has no signing secret configured.', true)
  try {
    const token = await verifyToken(presented.token, jwtKey)
    if (token.sub && USER_ID_PATTERN.test(token.sub) && matchesAny(userTopic(token.sub), token.subscribe)) return { id: token.sub }
  }
  catch (error) {
    if (!(error instanceof TokenRefused)) throw error
    unauthorized(event, error.message, true)
  }
  unauthorized(event, 'This token does not grant its subject\'s own topic (user:<sub>): it names no user.', true)
}
