/**
 * On Cloudflare the client's address is the `CF-Connecting-IP` header, set by Cloudflare's edge (a
 * value sent by the client is replaced); h3 would otherwise see the Worker's stand-in socket, and
 * every client would share one per-IP stream budget (NUXT_NOTIFY_MAX_STREAMS_PER_IP): with the
 * broadcast in one Durable Object, 100 subscribers in all. The Worker forwards the header to the
 * object with the request. h3's getRequestIP reads `event.context.clientAddress` first.
 */
export default defineEventHandler((event) => {
  const request = cloudflareContext(event)?.request
  const ip = request?.headers.get('cf-connecting-ip')
  if (ip) event.context.clientAddress = ip
})
