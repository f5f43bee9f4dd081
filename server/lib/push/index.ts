/**
 * Web Push from our own server: the VAPID config, the users' devices and switches, the endpoint
 * rule (public https only), and the sender (web-push: RFC 8291 payloads, RFC 8292 VAPID). docs/push.md.
 */
export { readPushConfig, type PushConfig } from './config'
export { endpointProblem, isPublicAddress, publicOnlyAgent } from './endpoint'
export { createPushSender, type PushOutcome, type PushSender } from './sender'
export { PUSH_BODY_LIMIT, endpointBodySchema, pushSettingsBodySchema, pushSubscriptionSchema } from './subscription-body'
export { MAX_DEVICES_PER_USER, type PushSubscriptions, type StoredSubscription } from './subscriptions'
export { sqlSubscriptions } from './sql-subscriptions'
