import type { SubscriberToken } from '#shared/types/notify'
import { z } from 'zod'
import { TOKEN_COOKIE, mintSubscriberToken, requireSessionUser } from '#server/lib/access'
import { answerPrivately, readJsonBody } from '#server/lib/http'

/** No fields yet: an empty object, or no body at all. */
const tokenSchema = z.strictObject({})
const TOKEN_BODY_LIMIT = 1024

/**
 * `POST /api/notify/token`: a subscriber token for the signed-in user's own topic, for a client
 * that can't carry the session cookie (another origin) or wants a stream bound to an expiry.
 * `?cookie=1` also sets it as the HttpOnly `notify_token` cookie, for a same-site EventSource.
 * POST: it creates a credential, and a cross-site page can't read the answer (no CORS here).
 */
export default defineEventHandler(async (event): Promise<SubscriberToken> => {
  const user = await requireSessionUser(event, 'Sign in first: a token is only minted for the signed-in user.')
  // A body, if any, is JSON: a form posted from a sibling subdomain (same-site) is refused. A bodiless
  // POST mints a token only the signed-in person's own browser can read or keep (no CORS here).
  await readJsonBody(event, tokenSchema, { limit: TOKEN_BODY_LIMIT, optional: true })
  const minted = await mintSubscriberToken(user.id)
  if (getQuery(event).cookie === '1') {
    setCookie(event, TOKEN_COOKIE, minted.token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: !import.meta.dev,
      path: '/api/notify',
      expires: new Date(minted.expiresAt),
    })
  }
  answerPrivately(event, 'cookie')
  return minted
})
