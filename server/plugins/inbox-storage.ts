import redisDriver from 'unstorage/drivers/redis'

/**
 * The inbox's read state lives in Nitro storage under `inbox`: on Redis when the bus is (so every
 * instance sees the same state and it survives restarts), else in this process's memory.
 */
export default defineNitroPlugin(() => {
  const { redisUrl, redisStreamKey } = useNotifyConfig()
  if (redisUrl) useStorage().mount('inbox', redisDriver({ url: redisUrl, base: `${redisStreamKey}:inbox` }))
})
