import type { SessionUser } from '#shared/types/notify'
import { z } from 'zod'
import { sessionPasswordProblem } from '#server/lib/access'
import { answerPrivately, readJsonBody } from '#server/lib/http'
import { USER_NAME_PATTERN, userIdOf } from '#shared/utils/notify'

/** `{"name":"..."}` of at most 64 characters: a few hundred bytes even fully escaped. */
const LOGIN_BODY_LIMIT = 1024

const loginSchema = z.strictObject({
  name: z.string().trim().regex(USER_NAME_PATTERN, 'must be 1 to 64 letters, digits or "._-"'),
})

/**
 * `POST /api/auth/login` `{ name }`: the DEMO sign-in: whoever types a name is that user, no
 * password. A real app replaces this route with its own login (password, OAuth...) and calls
 * `setUserSession(event, { user: { id, name } })` the same way; everything else stays.
 */
export default defineEventHandler(async (event): Promise<SessionUser> => {
  const problem = sessionPasswordProblem()
  if (problem) throw createError({ statusCode: 503, statusMessage: 'Service Unavailable', message: `Sign-in is off: ${problem}.` })
  // JSON only: a cross-site HTML form (urlencoded, no preflight) must not sign someone in as another.
  const body = await readJsonBody(event, loginSchema, { limit: LOGIN_BODY_LIMIT })
  const user: SessionUser = { id: userIdOf(body.name), name: body.name }
  await replaceUserSession(event, { user })
  answerPrivately(event, 'cookie')
  return user
})
