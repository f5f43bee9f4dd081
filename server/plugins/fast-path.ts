import { installFastPath } from '#server/lib/fast-path'

/**
 * The fast path for the stream routes, and the other places this server bends Nitro's pipeline, in
 * one module: server/lib/fast-path (what runs where: its pipeline-table.ts, docs/performance.md).
 */
export default defineNitroPlugin((nitroApp) => {
  installFastPath(nitroApp, { trace: useNotifyConfig().tracePipeline === true })
})
