/** The Nitro preset this build is for, and the process's own metrics (server/lib/runtime). */
export { NITRO_PRESET, SERVERLESS_PRESET, WORKER_PRESET, runtimeMetrics, startEventLoopMonitor } from '#server/lib/runtime'
