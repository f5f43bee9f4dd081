import { describe, expect, it } from 'vitest'
import { isStreamRoute, streamRouteOf } from '../../server/lib/http'

describe('which paths are the stream routes', () => {
  it.each([
    ['/api/notify/events', '/api/notify/events', true],
    ['/api/notify/events?topic=a&topic=b', '/api/notify/events', true],
    ['/notify/stream?count=5', '/notify/stream', true],
    ['/api/notify/stream/', undefined, true],
    ['/api/notify/events/?topic=a', undefined, true],
    ['/api/notify/eventsx', undefined, false],
    ['/api/notify/publish', undefined, false],
    ['/live?x=/api/notify/events', undefined, false],
  ])('%s: the lane takes %s; a stream route: %s', (path, lane, stream) => {
    expect(streamRouteOf(path)).toBe(lane)
    expect(isStreamRoute(path)).toBe(stream)
  })
})
