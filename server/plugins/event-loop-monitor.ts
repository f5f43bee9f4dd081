export default defineNitroPlugin(() => {
  startEventLoopMonitor()
})
