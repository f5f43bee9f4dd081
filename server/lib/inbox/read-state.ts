import { useStorage } from 'nitropack/runtime'
import { compareEventIds, parseEventId } from '#server/lib/broadcast'

/** The `inbox` storage mount (server/plugins/inbox-storage.ts): memory, or Redis when configured. */
const storage = () => useStorage<string>('inbox')
const keyOf = (userId: string) => `read:${userId}`

/** The newest event id `userId` marked read, or null. */
export async function readUpTo(userId: string): Promise<string | null> {
  const value = await storage().getItem(keyOf(userId))
  return typeof value === 'string' && parseEventId(value) ? value : null
}

/** Marks everything up to `id` read; never moves back (two tabs marking at once keep the newer). */
export async function markReadUpTo(userId: string, id: string): Promise<string> {
  const current = await readUpTo(userId)
  const next = current && compareEventIds(parseEventId(current)!, parseEventId(id)!) >= 0 ? current : id
  await storage().setItem(keyOf(userId), next)
  return next
}
