import { afterAll } from 'vitest'
import { ACCESS_SUITE_ENV, describeAccess } from '../support/access-suite'
import { startPostgres } from '../support/postgres'
import { startInstance, startRedis } from '../support/processes'
import { TOKEN } from '../support/server'
import { ACCESS_ENV } from '../support/tokens'

// A real redis-server and two production instances: events published on A, streams read on B.
// Several instances share one PostgreSQL (the store: what the inbox reads and keeps).
const [redis, postgres] = await Promise.all([startRedis(), startPostgres()])
const env = {
  ...ACCESS_ENV,
  ...ACCESS_SUITE_ENV,
  NUXT_NOTIFY_REDIS_URL: redis.url,
  NUXT_NOTIFY_DATABASE_URL: await postgres.createDatabase('access_redis'),
  NUXT_NOTIFY_PUBLISH_TOKEN: TOKEN,
  NUXT_NOTIFY_DEMO_PUBLISHER: 'false',
}
const [a, b] = await Promise.all([startInstance(env), startInstance(env)])
afterAll(async () => {
  await Promise.all([a.stop(), b.stop()])
  await Promise.all([redis.dispose(), postgres.dispose()])
})

describeAccess('Redis, two instances', { publisher: a, subscriber: b })
