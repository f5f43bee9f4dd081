import type { SessionUser } from '#shared/types/notify'
import { z } from 'zod'
import { sessionPasswordProblem } from '#server/lib/access'
import { answerPrivately, readJson, refuse } from '#server/lib/http'
import { USER_NAME_MAX, isUserName, userIdOf } from '#shared/utils/notify'

/** `{"name":"..."}` of at most 64 characters: a few hundred bytes even fully escaped. */
const LOGIN_BODY_LIMIT = 1024

const loginSchema = z.strictObject({
  // Any display name (`王小明`, `Mary Jane`): the id is derived from it (userIdOf), not typed.
  name: z.string().trim().refine(isUserName, `must be 1 to ${USER_NAME_MAX} characters, without control characters`),
})

/**
 * `POST /api/auth/login` `{ name }`: the DEMO sign-in: whoever types a name is that user, no
 * password. A real app replaces this route with its own login (password, OAuth...) and calls
 * `setUserSession(event, { user: { id, name } })` the same way; everything else stays.
 */
export default defineEventHandler(async (event): Promise<SessionUser> => {
  const problem = sessionPasswordProblem()
  if (problem) refuse('sign-in.off', `Sign-in is off: ${problem}.`)
  // JSON only: a cross-site HTML form (urlencoded, no preflight) must not sign someone in as another.
  const body = loginSchema.safeParse(await readJson(event, { limit: LOGIN_BODY_LIMIT }))
  if (!body.success) refuse('sign-in.name-invalid', `"name" ${body.error.issues[0]?.message ?? 'is required'}.`, { field: 'name' })
  const user: SessionUser = { id: userIdOf(body.data.name), name: body.data.name }
  await replaceUserSession(event, { user })
  answerPrivately(event, 'cookie')
  return user
})
