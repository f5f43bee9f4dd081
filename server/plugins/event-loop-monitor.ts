import { startEventLoopMonitor } from '#server/lib/runtime'

export default defineNitroPlugin(() => {
  startEventLoopMonitor()
})
