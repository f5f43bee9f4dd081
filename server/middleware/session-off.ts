import { sessionPasswordProblem } from '#server/lib/access'

/**
 * Without a usable NUXT_SESSION_PASSWORD nuxt-auth-utils' session route can't seal a cookie and
 * answers 500 on every page render (it is fetched during SSR). Here it answers "no session"
 * instead; signing in says what to set (server/api/auth/login.post.ts).
 */
export default defineEventHandler((event) => {
  if (event.path === '/api/_auth/session' && event.method === 'GET' && sessionPasswordProblem()) return {}
})
