/**
 * Running on Cloudflare: what the presets hand over in `event.context.cloudflare`, and for
 * cloudflare-durable, which routes go to the Durable Object, how, and the object's storage (the
 * broadcast bus keeps its history there: server/lib/broadcast/durable-bus.ts).
 */
export { cloudflareClientIp, cloudflareContext, insideDurableObject, type CloudflareContext } from './context'
export { rememberDurableStorage, useDurableStorage } from './durable-storage'
export { durableRoute, forwardedRequest, withWorkerStreams } from './forward'
