import { NITRO_PRESET, SERVERLESS_PRESET } from '#server/lib/runtime'

/**
 * On a serverless preset every invocation may run in another instance (and an idle one is frozen),
 * so the in-memory bus reaches only the subscribers of the instance that took the publish: the
 * broadcast needs Redis there. Say so once at start-up rather than lose events quietly.
 * (On Cloudflare the env of a deploy is only known per request: this sees the build-time value.)
 */
export default defineNitroPlugin(() => {
  if (!SERVERLESS_PRESET || useNotifyConfig().redisUrl || useNotifyConfig().redisClusterNodes) return
  console.warn(
    `[notify] Preset "${NITRO_PRESET}" is serverless but NUXT_NOTIFY_REDIS_URL is not set: the in-memory `
    + 'broadcast bus does not span invocations or instances, so /api/notify/events subscribers miss '
    + 'events published elsewhere. Set NUXT_NOTIFY_REDIS_URL (redis://host:6379/0).',
  )
})
