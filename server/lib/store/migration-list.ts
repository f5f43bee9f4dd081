import type { Migration } from './migration'
import notifications from './migrations/001-notifications'
import inboxState from './migrations/002-inbox-state'
import idempotencyKeys from './migrations/003-idempotency-keys'
import pushSubscriptions from './migrations/004-push-subscriptions'

/**
 * Every migration, in version order (checked at start): add a new file's import at the end.
 * Versions rise, gaps allowed (each unrecorded one is applied).
 */
export const MIGRATIONS: readonly Migration[] = [
  notifications,
  inboxState,
  idempotencyKeys,
  pushSubscriptions,
]
