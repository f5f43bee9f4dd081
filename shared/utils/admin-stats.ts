/**
 * The topic of the operators' live stats (the /status page). Admin-only: it must be listed in
 * NUXT_NOTIFY_PRIVATE_TOPICS; until topic access exists, the events route refuses it without the
 * admin token.
 */
export const ADMIN_STATS_TOPIC = 'admin:stats'

/** How often the server samples and publishes it. */
export const ADMIN_STATS_INTERVAL_MS = 1000

/** How much of it the /status page keeps and draws: the last five minutes. */
export const ADMIN_STATS_WINDOW = 300
