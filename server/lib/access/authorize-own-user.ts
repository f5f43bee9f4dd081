import type { H3Event } from 'h3'
import { USER_ID_PATTERN, userTopic } from '#shared/utils/notify'
import { readToken } from './authorize-topics'
import { forbidden, unauthorized } from './refusals'
import { readSessionUser } from './session-user'
import { matchesAny } from './topic-patterns'

/**
 * Whose own things (the inbox, the push devices) this request reads or writes: the signed-in user's, or the user a subscriber token
 * was minted for (its `sub`) when the token also grants their topic `user:<sub>` (what
 * POST /api/notify/token mints). A sent token that is refused is a 401, never ignored for the
 * session; a token for someone else's topic is a 403 on the whole inbox (its items are 404s).
 */
export async function authorizeOwnUser(event: H3Event): Promise<{ userId: string }> {
  const token = await readToken(event)
  if (token) {
    if (!token.sub || !USER_ID_PATTERN.test(token.sub) || !matchesAny(userTopic(token.sub), token.subscribe)) {
      forbidden('inbox.not-an-inbox', 'This token does not grant an inbox: it needs "sub" (a user id) and "notify.subscribe" with the topic user:<sub>.')
    }
    return { userId: token.sub }
  }
  const user = await readSessionUser(event)
  if (!user) unauthorized(event, 'session.missing', 'Sign in, or send a subscriber token (Authorization: Bearer).')
  return { userId: user.id }
}
