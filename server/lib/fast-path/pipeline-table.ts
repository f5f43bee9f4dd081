/**
 * What of Nitro's pipeline runs for which request, on which preset: the one table of it. Read by
 * the fast path (server/lib/fast-path), written out in docs/performance.md, asserted by
 * tests/e2e/fast-path.test.ts against the production build (through the trace, `trace.ts`).
 */
/** The response header of the trace (NUXT_NOTIFY_TRACE_PIPELINE): the `trace` names of the steps that ran, space-separated. */
export const TRACE_HEADER = 'x-notify-pipeline'

export type StepRuns = 'runs' | 'skipped'

export interface PipelineStep {
  /** What the trace calls it (`x-notify-pipeline`); absent for a step it can't see. */
  trace?: string
  step: string
  /** Pages, assets and every API route that is not a stream, on every preset. */
  page: StepRuns
  /** The three stream routes on every preset but the Cloudflare ones (node-server, vercel, bun, deno-server, netlify, aws-lambda): the stream lane. */
  streamLane: StepRuns
  /**
   * The stream routes where the lane is off: the Cloudflare presets (their middleware forwards the
   * broadcast to its Durable Object and reads the client IP), a route rule on the stream's path, a
   * base URL, Nitro's async context, or a fast-path internal not found at start-up.
   */
  streamWhole: StepRuns
}

export const PIPELINE: readonly PipelineStep[] = [
  { trace: 'hook:request', step: 'plugins\' `request` hooks', page: 'runs', streamLane: 'skipped', streamWhole: 'runs' },
  { trace: 'i18n', step: '@nuxtjs/i18n\'s request context (`initializeI18nContext`), for the page render only', page: 'runs', streamLane: 'skipped', streamWhole: 'skipped' },
  { trace: 'security-headers', step: 'security headers (`x-frame-options`, `x-content-type-options`, `referrer-policy`)', page: 'runs', streamLane: 'skipped', streamWhole: 'skipped' },
  { trace: 'route-rules', step: 'route rules: the match and merge of `routeRules`', page: 'runs', streamLane: 'skipped', streamWhole: 'runs' },
  { trace: 'middleware', step: 'the h3 app\'s middleware: Nitro\'s static assets and every `server/middleware/` file', page: 'runs', streamLane: 'skipped', streamWhole: 'runs' },
  { trace: 'router', step: 'Nitro\'s router and the route handler', page: 'runs', streamLane: 'runs', streamWhole: 'runs' },
  { trace: 'hook:beforeResponse', step: 'plugins\' `beforeResponse` hooks (a stream route returns no body: none there either way)', page: 'runs', streamLane: 'skipped', streamWhole: 'skipped' },
  { step: 'plugins\' `afterResponse` hooks', page: 'runs', streamLane: 'skipped', streamWhole: 'runs' },
]

/**
 * `server/middleware/` files that need not see the stream routes, and why; any other one does not
 * see them on the lane, and the start-up warns about it.
 */
export const MIDDLEWARE_STREAMS_NEED_NOT_SEE: Readonly<Record<string, string>> = {
  'session-off': 'answers /api/_auth/session only',
  'durable-forward': 'Cloudflare only, where the lane is off',
  'cloudflare-client-ip': 'Cloudflare only, where the lane is off',
}
