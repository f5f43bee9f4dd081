import { afterAll } from 'vitest'
import { startRedisCluster } from '../support/redis-cluster'
import { presenceSuite } from '../support/presence-suite'

// The same on a real Redis Cluster (3 masters, 3 replicas): each topic's entries in its own slot.
const cluster = await startRedisCluster()
afterAll(() => cluster.dispose())
await presenceSuite('a Redis Cluster', { NUXT_NOTIFY_REDIS_CLUSTER_NODES: cluster.seeds })
