import { MIN_SECRET_BYTES, sessionPasswordProblem, useAccessConfig } from '#server/lib/access'

/**
 * Reads the access settings once at start-up, so a bad NUXT_NOTIFY_PRIVATE_TOPICS stops the server
 * here instead of failing every request, and says once what is off: tokens without a usable secret,
 * sign-in without a session password. Never prints a secret or a topic of a user.
 */
export default defineNitroPlugin(() => {
  const { jwtProblem } = useAccessConfig()
  if (jwtProblem) console.warn(`[notify] Tokens are refused: ${jwtProblem} (HS256 needs at least ${MIN_SECRET_BYTES} bytes).`)
  const sessionProblem = sessionPasswordProblem()
  if (sessionProblem) console.warn(`[notify] Sign-in is off: ${sessionProblem}; private topics are then readable with a token only.`)
})
