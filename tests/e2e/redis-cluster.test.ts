import { afterAll } from 'vitest'
import { startRedisCluster } from '../support/redis-cluster'
import { redisBusSuite } from '../support/redis-bus-suite'
import { sigtermSuite } from '../support/sigterm-suite'

// The single-Redis guarantees, on a real Redis Cluster (3 masters, 3 replicas): fan-out from A to B,
// resume across instances, the whole cluster stopping and starting, SIGTERM without loss.
const cluster = await startRedisCluster()
afterAll(() => cluster.dispose())
const env = { NUXT_NOTIFY_REDIS_CLUSTER_NODES: cluster.seeds }
await redisBusSuite({ name: 'a Redis Cluster', env, stop: cluster.stop, start: cluster.start })
await sigtermSuite('a Redis Cluster', env)
