import { ADMIN_STATS_TOPIC } from '#shared/utils/admin-stats'
import { countRefusal } from '#server/lib/metrics'

/**
 * INTERIM, until topic access lands (NUXT_NOTIFY_PRIVATE_TOPICS, branch `access`): a stream of
 * `admin:stats` is refused without the admin token, before it is opened (401, counted as a
 * refusal). Once access is merged, list `admin:stats` as a private topic and delete this file.
 */
export default defineEventHandler((event) => {
  // Every request passes here: one prefix test (and no promise) for all but the events route.
  if (!event.path.startsWith('/api/notify/events') || event.path.split('?', 1)[0]!.replace(/\/+$/, '') !== '/api/notify/events') return
  const topic = getQuery(event).topic
  if (!(Array.isArray(topic) ? topic : [topic]).includes(ADMIN_STATS_TOPIC)) return
  return requireAdminToken(event).catch((error: { statusCode?: number }) => {
    if (error.statusCode === 401) countRefusal('401')
    throw error
  })
})
