import { afterAll } from 'vitest'
import { startRedis } from '../support/processes'
import { redisBusSuite } from '../support/redis-bus-suite'

// A real redis-server and production instances of the app sharing it through the Redis bus (the
// same bus as on a cluster: tests/e2e/redis-cluster.test.ts runs this suite there).
const redis = await startRedis()
afterAll(() => redis.dispose())
const backend = { name: 'one Redis', env: { NUXT_NOTIFY_REDIS_URL: redis.url }, stop: redis.stop, start: redis.start }
await redisBusSuite(backend)
