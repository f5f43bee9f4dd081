import type { H3Event } from 'h3'

/** What Nitro's cloudflare presets put in `event.context.cloudflare` (nitropack 2.13). */
export interface CloudflareContext {
  /** The Request the Worker (or the Durable Object) got. */
  request?: Request
  /** cloudflare-durable, in the Worker: sends a request to the preset's one object (`$DurableObject`, named `server`). */
  durableFetch?: (request?: Request) => Promise<Response>
  /** cloudflare-durable, inside the object: the object itself. */
  durable?: unknown
}

export function cloudflareContext(event: H3Event): CloudflareContext | undefined {
  return (event.context as { cloudflare?: CloudflareContext }).cloudflare
}

/** True inside the cloudflare-durable preset's Durable Object, where every request shares memory. */
export function insideDurableObject(event: H3Event): boolean {
  return cloudflareContext(event)?.durable !== undefined
}

/**
 * The client's address on Cloudflare: `CF-Connecting-IP`, set by Cloudflare's edge (a value the
 * client sends is replaced) and forwarded to the object with the request. The Worker's stand-in
 * socket has no address, so without it every client shares one per-IP stream budget.
 */
export function cloudflareClientIp(event: H3Event): string | undefined {
  return cloudflareContext(event)?.request?.headers.get('cf-connecting-ip') ?? undefined
}
