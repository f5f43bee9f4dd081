import { afterAll } from 'vitest'
import { startRedis } from '../support/processes'
import { presenceSuite } from '../support/presence-suite'

// A real redis-server, two production instances: who is online is known on both.
const redis = await startRedis()
afterAll(() => redis.dispose())
await presenceSuite('one Redis', { NUXT_NOTIFY_REDIS_URL: redis.url })
