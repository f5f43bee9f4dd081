/** The platform this server runs on: which Nitro preset it was built for, and how the process is doing. */
export { NITRO_PRESET, SERVERLESS_PRESET, WORKER_PRESET } from './preset'
export { runtimeMetrics, startEventLoopMonitor } from './metrics'
