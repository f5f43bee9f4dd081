/** The publish request: a JSON body within its size limit, of the schema of the shared PublishRequest. */
export { publishSchema, readPublishBody } from './body'
export { publishEvent, senderOf, type Published } from './publish-event'
export { IDEMPOTENCY_KEY_PATTERN, bodyHashOf, publisherScope, readIdempotencyKey, type IdempotencyKeyStore } from './idempotency'
export { KEY_TTL_MS, createMemoryKeyStore, createRedisKeyStore } from './idempotency-stores'
