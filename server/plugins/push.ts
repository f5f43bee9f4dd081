import redisDriver from 'unstorage/drivers/redis'

/**
 * Web Push: the devices live in Nitro storage under `push`, on Redis (one or a cluster) when the bus
 * is (every instance sees them, they survive restarts), else in this process's memory. Says once at
 * start why push is off, and stops its retries when Nitro closes.
 */
export default defineNitroPlugin((nitroApp) => {
  const { redisUrl, redisClusterNodes, redisKeyPrefix } = useNotifyConfig()
  const base = `${redisKeyPrefix}:push`
  const cluster = String(redisClusterNodes || '').split(',').map(node => node.trim()).filter(Boolean)
    .map(node => ({ host: node.slice(0, node.lastIndexOf(':')), port: Number(node.slice(node.lastIndexOf(':') + 1)) }))
  if (cluster.length) useStorage().mount('push', redisDriver({ cluster, base }))
  else if (redisUrl) useStorage().mount('push', redisDriver({ url: redisUrl, base }))
  const { problem } = usePushConfig()
  if (problem) console.info(`[notify] Web Push is off: ${problem}.`)
  nitroApp.hooks.hook('close', closePush)
})
