import type { Migration } from './migration'
import notifications from './migrations/001-notifications'
import pushSubscriptions from './migrations/002-push-subscriptions'

/** Every migration, in version order (checked at start): add a new file's import at the end. */
export const MIGRATIONS: readonly Migration[] = [
  notifications,
  pushSubscriptions,
]
