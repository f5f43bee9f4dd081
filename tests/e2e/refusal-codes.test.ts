import { fetch } from '@nuxt/test-utils/e2e'
import { describe, expect, it } from 'vitest'
import { type RefusalCode, REFUSALS } from '#shared/utils/refusals'
import { TOKEN, setupServer } from '../support/server'
import { ACCESS_ENV, publisherToken, subscriberToken } from '../support/tokens'

await setupServer(ACCESS_ENV)

/** The answer's status and body: the body names the refusal's code, the status is the one the list gives it. */
async function refusal(path: string, init: RequestInit = {}): Promise<{ status: number, body: Record<string, unknown> }> {
  const response = await fetch(path, init)
  const body = await response.json() as Record<string, unknown>
  if (typeof body.code === 'string' && body.code in REFUSALS) expect(response.status, path).toBe(REFUSALS[body.code as RefusalCode])
  return { status: response.status, body }
}

const publish = (body: unknown, headers: Record<string, string>) => refusal('/api/notify/publish', {
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
})
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

describe('every refusal names its stable code beside the message', () => {
  it('the publish route: each way of being refused has its code', async () => {
    const cases: Array<[RefusalCode, Promise<{ body: Record<string, unknown> }>]> = [
      ['token.missing', publish({ data: 1 }, {})],
      ['token.wrong', publish({ data: 1 }, bearer('not-the-token'))],
      ['token.expired', publish({ data: 1 }, bearer(await publisherToken(['broadcast'], { expiresIn: -60 })))],
      ['token.invalid', publish({ data: 1 }, bearer(await publisherToken(['broadcast'], { secret: 'another-secret-that-is-long-enough-0123' })))],
      ['publish.forbidden', publish({ topic: 'ticker', data: 1 }, bearer(await publisherToken(['broadcast'])))],
      ['body.empty', publish('', bearer(TOKEN))],
      ['body.malformed-json', publish('{"data":', bearer(TOKEN))],
      ['body.invalid', publish({ topic: 'bad topic', data: 1 }, bearer(TOKEN))],
      ['body.not-json', publish('data=1', { ...bearer(TOKEN), 'content-type': 'application/x-www-form-urlencoded' })],
      ['body.too-large', publish({ data: 'x'.repeat(70 * 1024) }, bearer(TOKEN))],
    ]
    for (const [code, answer] of cases) {
      const { body } = await answer
      expect(body, code).toMatchObject({ code, message: expect.any(String) })
      // The code lives beside the message, not in `data`.
      expect((body.data as Record<string, unknown> | undefined)?.code, code).toBeUndefined()
    }
  })

  it('streams, queries, operators and the session each name theirs', async () => {
    const cases: Array<[RefusalCode, string, RequestInit?]> = [
      ['query.invalid', '/api/notify/stream?count=0'],
      ['last-event-id.invalid', '/api/notify/stream?lastEventId=abc'],
      ['topic.private', '/api/notify/events?topic=user:alice'],
      ['topic.forbidden', '/api/notify/events?topic=user:alice', { headers: bearer(await subscriberToken(['user:bob'])) }],
      ['token.expired', '/api/notify/events?topic=user:alice', { headers: bearer(await subscriberToken(['user:alice'], { expiresIn: -60 })) }],
      ['operator-token.missing', '/api/notify/metrics'],
      ['operator-token.wrong', '/api/notify/metrics', { headers: bearer('wrong') }],
      ['session.missing', '/api/notify/token', { method: 'POST' }],
      ['method.not-allowed', '/api/notify/stream', { method: 'PUT' }],
      ['route.unknown', '/api/nothing'],
    ]
    for (const [code, path, init] of cases) {
      const { body } = await refusal(path, init)
      expect(body, `${code}: ${path}`).toMatchObject({ code, message: expect.any(String) })
    }
    // A parameter's name stays in `data`, beside the code.
    expect((await refusal('/api/notify/stream?count=0')).body.data).toEqual({ parameter: 'count' })
  })
})
