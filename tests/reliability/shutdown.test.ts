import { afterAll } from 'vitest'
import { startRedis } from '../support/processes'
import { sigtermSuite } from '../support/sigterm-suite'

// Two instances on one Redis: A is stopped with SIGTERM under load, its clients move to B.
const redis = await startRedis()
afterAll(() => redis.dispose())
await sigtermSuite('one Redis', { NUXT_NOTIFY_REDIS_URL: redis.url })
