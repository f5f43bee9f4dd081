import type { DurableStorage } from '../broadcast'

let storage: DurableStorage | undefined

/**
 * Kept from the preset's `cloudflare:durable:init` hook (server/plugins/durable-object.ts). One per
 * isolate: the preset runs one object (named `server`), so one storage.
 */
export function rememberDurableStorage(objectStorage: DurableStorage): void {
  storage = objectStorage
}

/** The Durable Object's storage when this code runs inside it (cloudflare-durable), else undefined. */
export function useDurableStorage(): DurableStorage | undefined {
  return storage
}
