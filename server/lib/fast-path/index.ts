import type { NitroApp } from 'nitropack/types'
import { useRuntimeConfig } from 'nitropack/runtime'
import middlewareNames from '#notify/server-middleware'
import { WORKER_PRESET } from '#server/lib/runtime'
import { keepI18nToPages } from './i18n-pages-only'
import { warnOfSkippedMiddleware } from './middleware-check'
import { setSecurityHeaders } from './security-headers'
import { runtimeConfigSlotWorks, shareRuntimeConfigWithOwnRoutes } from './shared-runtime-config'
import { installStreamLane } from './stream-lane'
import { installTrace, markRouter } from './trace'

/**
 * The fast path: every place this server bends Nitro's pipeline, installed together by
 * server/plugins/fast-path.ts. What runs for which request on which preset is the table of
 * `pipeline-table.ts` (written out in docs/performance.md, asserted by tests/e2e/fast-path.test.ts):
 * - the stream lane: on every preset but the Cloudflare ones the stream routes go from h3's app handler straight to
 *   Nitro's router (`stream-lane.ts`);
 * - the process-wide runtime config as our own routes' per-request copy (`shared-runtime-config.ts`);
 * - @nuxtjs/i18n's request context kept to pages (`i18n-pages-only.ts`);
 * - security headers on everything but the streams (`security-headers.ts`).
 * Each internal it leans on is checked once at start-up; when one is not what it was, that part is
 * left out with a line in the log and those requests take the whole pipeline, slower but correct.
 */
export { PIPELINE, MIDDLEWARE_STREAMS_NEED_NOT_SEE, TRACE_HEADER, type PipelineStep, type StepRuns } from './pipeline-table'
export { SECURITY_HEADERS } from './security-headers'
export { middlewareTheLaneSkips } from './middleware-check'

export interface FastPathOptions {
  /** NUXT_NOTIFY_TRACE_PIPELINE: each response names the steps that ran for it (tests). */
  trace: boolean
}

export const RUNTIME_CONFIG_SLOT_MOVED = '[notify] Nitro no longer reads a request\'s runtime config from '
  + '`event.context.nitro.runtimeConfig` (server/lib/fast-path/shared-runtime-config.ts): the stream lane is off '
  + 'and every request makes its own copy, slower. Check the nitropack version against that file.'

export function installFastPath(nitroApp: NitroApp, { trace }: FastPathOptions): void {
  setSecurityHeaders(nitroApp)
  keepI18nToPages(nitroApp, () => {})
  const shared = useRuntimeConfig()
  const slotWorks = runtimeConfigSlotWorks(shared)
  if (slotWorks) shareRuntimeConfigWithOwnRoutes(nitroApp, shared)
  else console.warn(RUNTIME_CONFIG_SLOT_MOVED)
  // Off on the Workers (their middleware must see the streams), under a base URL (the streams are
  // routed by their full path) and with Nitro's async context (`useEvent()` wraps the whole pipeline).
  const lane = slotWorks && !WORKER_PRESET && !import.meta._asyncContext && shared.app.baseURL === '/'
  if (lane) {
    installStreamLane(nitroApp, shared, trace ? markRouter : undefined)
    warnOfSkippedMiddleware(middlewareNames)
  }
  if (trace) installTrace(nitroApp)
}
