import type { SubscriberToken } from '#shared/types/notify'
import { TOKEN_COOKIE, mintSubscriberToken, readSessionUser } from '#server/lib/access'

/**
 * `POST /api/notify/token`: a subscriber token for the signed-in user's own topic, for a client
 * that can't carry the session cookie (another origin) or wants a stream bound to an expiry.
 * `?cookie=1` also sets it as the HttpOnly `notify_token` cookie, for a same-site EventSource.
 * POST: it creates a credential, and a cross-site page can't read the answer (no CORS here).
 */
export default defineEventHandler(async (event): Promise<SubscriberToken> => {
  const user = await readSessionUser(event)
  if (!user) refuse('session.missing', 'Sign in first: a token is only minted for the signed-in user.')
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
  setResponseHeader(event, 'cache-control', 'no-store')
  return minted
})
