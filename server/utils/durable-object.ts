import type { H3Event } from 'h3'
import type { DurableStorage } from './durable-bus'

/** What the cloudflare-durable preset puts in `event.context.cloudflare` (nitropack 2.13). */
interface CloudflareContext {
  request?: Request
  /** In the Worker: sends a request to the preset's one Durable Object (`$DurableObject`, named `server`). */
  durableFetch?: (request?: Request) => Promise<Response>
  /** Inside the Durable Object: the object itself. */
  durable?: unknown
}

let storage: DurableStorage | undefined

/** Called from the preset's `cloudflare:durable:init` hook: the object's storage, for the broadcast bus. */
export function rememberDurableStorage(objectStorage: DurableStorage): void {
  storage = objectStorage
}

/** The Durable Object's storage when this code runs inside it (cloudflare-durable), else undefined. */
export function useDurableStorage(): DurableStorage | undefined {
  return storage
}

export function cloudflareContext(event: H3Event): CloudflareContext | undefined {
  return (event.context as { cloudflare?: CloudflareContext }).cloudflare
}

/** True inside the cloudflare-durable preset's Durable Object, where every request shares memory. */
export function insideDurableObject(event: H3Event): boolean {
  return cloudflareContext(event)?.durable !== undefined
}
