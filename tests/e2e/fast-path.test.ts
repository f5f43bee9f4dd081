import { afterAll, describe, expect, it } from 'vitest'
import { PIPELINE, TRACE_HEADER } from '../../server/lib/fast-path/pipeline-table'
import { startInstance } from '../support/processes'

// The production build on node-server, with each response naming the steps of Nitro's pipeline that
// ran for it: the table of server/lib/fast-path/pipeline-table.ts (and docs/performance.md) held to it.
const app = await startInstance({ NUXT_NOTIFY_DEMO_PUBLISHER: 'false', NUXT_NOTIFY_TRACE_PIPELINE: 'true' })
afterAll(() => app.stop())

/** The steps that ran for one request: read from its response head, the body cancelled or read. */
async function stepsOf(path: string, init: RequestInit = {}): Promise<Set<string>> {
  const response = await fetch(`${app.url}${path}`, { ...init, signal: AbortSignal.timeout(10_000) })
  const header = response.headers.get(TRACE_HEADER)
  await response.body?.cancel()
  expect(header, `${TRACE_HEADER} on ${path}`).not.toBeNull()
  return new Set(header!.split(' ').filter(Boolean))
}

const traced = PIPELINE.filter(step => step.trace)
const expected = (column: 'page' | 'streamLane') => traced.filter(step => step[column] === 'runs').map(step => step.trace!).sort()
const seen = (steps: Set<string>) => traced.map(step => step.trace!).filter(trace => steps.has(trace)).sort()

describe('what of Nitro\'s pipeline runs, on node-server', () => {
  it('a page runs every step of the table\'s page column', async () => {
    expect(seen(await stepsOf('/', { headers: { cookie: 'lang=en' } }))).toEqual(expected('page'))
  })

  it('each stream route runs the lane\'s column only: the router, no hook, middleware, route rule or i18n context', async () => {
    for (const path of ['/api/notify/stream?count=1&interval=10', '/notify/stream?count=1&interval=10', '/api/notify/events?topic=fast-path']) {
      expect(seen(await stepsOf(path)), path).toEqual(expected('streamLane'))
    }
    expect(expected('streamLane')).toEqual(['router'])
  })

  it('a stream at another spelling (a trailing slash) and its CORS preflight go the same way as a page would', async () => {
    // The preflight is the stream route's own answer, in the lane.
    expect(seen(await stepsOf('/api/notify/stream', { method: 'OPTIONS', headers: { 'origin': 'http://elsewhere.example', 'access-control-request-method': 'GET' } }))).toEqual(['router'])
    // Not a spelling the lane takes: the whole pipeline, as the table says of every other path.
    const slash = await stepsOf('/api/notify/stream/?count=1&interval=10')
    expect(slash.has('hook:request') && slash.has('route-rules') && slash.has('middleware')).toBe(true)
  })

  it('our own routes get the process-wide runtime config as their copy; a page keeps its own', async () => {
    expect((await stepsOf('/api/health')).has('shared-config')).toBe(true)
    expect((await stepsOf('/api/notify/stream?count=1&interval=10')).has('shared-config')).toBe(true)
    expect((await stepsOf('/')).has('shared-config')).toBe(false)
  })

  it('another API route keeps the whole pipeline but not i18n\'s context', async () => {
    const steps = await stepsOf('/api/health')
    expect(steps.has('hook:request') && steps.has('route-rules') && steps.has('middleware') && steps.has('security-headers')).toBe(true)
    expect(steps.has('i18n')).toBe(true) // i18n's hook stays on every path but the three streams
  })

  it('started without a fast-path warning: every internal found, no server/middleware file the lane skips unnamed', () => {
    expect(app.logs()).not.toMatch(/request hook \(initializeI18nContext\) was not found|no longer reads a request's runtime config|does not run for the stream routes/)
  })
})
