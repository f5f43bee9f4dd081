import { hasSessionCookie } from '#server/lib/access'
import { answerPrivately } from '#server/lib/http'

/**
 * What is rendered under a session is that person's: a page's payload carries the signed-in user (and
 * /inbox their notifications), nuxt-auth-utils' `/api/_auth/session` the session itself. Neither may
 * be kept by a shared cache. The routes of this app say it themselves (`answerPrivately`).
 */
export default defineNitroPlugin((nitroApp) => {
  nitroApp.hooks.hook('request', (event) => {
    if (event.path.startsWith('/api/_auth/')) answerPrivately(event, 'cookie')
  })
  nitroApp.hooks.hook('render:response', (response, { event }) => {
    if (hasSessionCookie(event)) response.headers = { ...response.headers, 'cache-control': 'private, no-store', 'vary': 'Cookie' }
  })
})
