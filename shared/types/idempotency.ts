/**
 * A publish's `Idempotency-Key` (POST /api/notify/publish): the one definition of the shapes the
 * route, the key stores (Redis, memory), the bus and the database's log pass between them.
 */

/** A publish's key, whose it is (keys are per publisher), and what it was sent with. */
export interface IdempotencyRequest {
  scope: string
  key: string
  bodyHash: string
}

/** What a key was first used for, within its lifetime. */
export interface IdempotencyRecord {
  bodyHash: string
  topic: string
  eventId: string
}
