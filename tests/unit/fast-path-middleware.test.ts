import { describe, expect, it } from 'vitest'
import { middlewareTheLaneSkips } from '../../server/lib/fast-path/middleware-check'
import { MIDDLEWARE_STREAMS_NEED_NOT_SEE } from '../../server/lib/fast-path/pipeline-table'

describe('the start-up warning of server/middleware/ files the stream lane skips', () => {
  it('names a file that is not known to need no stream, and none of those that are', () => {
    expect(middlewareTheLaneSkips(['session-off', 'durable-forward', 'cloudflare-client-ip'])).toEqual([])
    expect(middlewareTheLaneSkips(['session-off', 'audit-log', 'auth'])).toEqual(['audit-log', 'auth'])
  })

  it('says why for each file it lets through', () => {
    for (const reason of Object.values(MIDDLEWARE_STREAMS_NEED_NOT_SEE)) expect(reason.length).toBeGreaterThan(10)
  })
})
