import { cloudflareClientIp } from '#server/lib/cloudflare'

/**
 * On Cloudflare the client's address is `CF-Connecting-IP`: without it every client would share one
 * NUXT_NOTIFY_MAX_STREAMS_PER_IP budget (with the broadcast in one Durable Object, 100 subscribers
 * in all). h3's getRequestIP reads `event.context.clientAddress` first.
 */
export default defineEventHandler((event) => {
  const ip = cloudflareClientIp(event)
  if (ip) event.context.clientAddress = ip
})
