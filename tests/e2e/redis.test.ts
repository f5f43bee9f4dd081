import { afterAll } from 'vitest'
import { startRedis } from '../support/processes'
import { redisBusSuite } from '../support/redis-bus-suite'

// A real redis-server and production instances of the app sharing it: the routed bus (the default)
// and the one-stream bus (NUXT_NOTIFY_REDIS_BUS=stream) keep the same guarantees.
const redis = await startRedis()
afterAll(() => redis.dispose())
const backend = { name: 'one Redis', env: { NUXT_NOTIFY_REDIS_URL: redis.url }, stop: redis.stop, start: redis.start }
await redisBusSuite(backend)
await redisBusSuite({ ...backend, name: 'one Redis, one stream for every topic' }, { NUXT_NOTIFY_REDIS_BUS: 'stream' })
