import { type H3Error, type H3Event, createApp, eventHandler, getQuery, setResponseStatus, toWebHandler } from 'h3'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { topicsParam } from '../../server/lib/broadcast'
import { integerParam, readValidatedQuery } from '../../server/lib/http'

const schema = z.object({
  count: integerParam('count', { min: 1, max: 10_000, fallback: 200 }),
  topic: topicsParam,
})

const app = createApp()
app.use('/', eventHandler(async (event) => {
  try {
    const { count, topic } = await readValidatedQuery(event, schema)
    return { count, topics: [...topic] }
  }
  catch (error) {
    // The fields of Nitro's JSON error body (a bare h3 app leaves `message` out of its own).
    const { statusCode, statusMessage, message, data } = error as H3Error
    setResponseStatus(event, statusCode)
    return { statusCode, statusMessage, message, data }
  }
}))
const handler = toWebHandler(app)
const get = async (query: string) => {
  const response = await handler(new Request(`http://local/?${query}`))
  return { status: response.status, body: await response.json() }
}

describe('query schemas through getValidatedQuery', () => {
  it('fills in the defaults and passes valid values on', async () => {
    expect(await get('')).toEqual({ status: 200, body: { count: 200, topics: ['broadcast'] } })
    expect(await get('count=0001&topic=a&topic=b.c')).toEqual({ status: 200, body: { count: 1, topics: ['a', 'b.c'] } })
  })

  it.each([
    ['count=abc', 'Query parameter "count" must be an integer from 1 to 10000.', 'count'],
    ['count=1&count=2', 'Query parameter "count" must be an integer from 1 to 10000.', 'count'],
    ['count=0', 'Query parameter "count" must be an integer from 1 to 10000, got 0.', 'count'],
    ['count=10001', 'Query parameter "count" must be an integer from 1 to 10000, got 10001.', 'count'],
    ['count=abc&topic=a%20b', 'Query parameter "count" must be an integer from 1 to 10000.', 'count'],
    ['topic=a%20b', 'Query parameter "topic" must be 1 to 128 letters, digits or "._:-".', 'topic'],
    ['topic=ok&topic=', 'Query parameter "topic" must be 1 to 128 letters, digits or "._:-".', 'topic'],
    [Array.from({ length: 33 }, () => 'topic=a%20b').join('&'), 'At most 32 topics per stream.', 'topic'],
  ])('?%s: 400 Bad Request, the first problem in the message, the parameter in data', async (query, message, parameter) => {
    const { status, body } = await get(query)
    expect(status).toBe(400)
    expect(body).toMatchObject({ statusCode: 400, statusMessage: 'Bad Request', message, data: { parameter } })
  })
})

describe('remembered queries', () => {
  const seen: unknown[] = []
  const remembering = toWebHandler(createApp().use('/', eventHandler(async (event) => {
    try {
      const query = await readValidatedQuery(event, schema)
      seen.push(query)
      return { ok: true }
    }
    catch (error) {
      setResponseStatus(event, (error as H3Error).statusCode)
      return { ok: false }
    }
  })))
  const status = async (query: string) => (await remembering(new Request(`http://local/?${query}`))).status

  it('hands out the result of a query string seen before, the same object, without parsing it again', async () => {
    seen.length = 0
    expect(await status('topic=a&count=7')).toBe(200)
    expect(await status('topic=a&count=7')).toBe(200)
    expect(await status('topic=a&count=8')).toBe(200)
    expect(seen[1]).toBe(seen[0])
    expect(seen[2]).not.toBe(seen[0])
    expect(seen[2]).toMatchObject({ count: 8 })
  })

  it('never remembers a query that carries a client\'s own token or position', async () => {
    for (const query of ['topic=a&access_token=secret', 'lastEventId=1-0&topic=a']) {
      seen.length = 0
      expect(await status(query)).toBe(200)
      expect(await status(query)).toBe(200)
      expect(seen[1]).not.toBe(seen[0])
      expect(seen[1]).toEqual(seen[0])
    }
  })

  it('decides on the key as h3 decodes it: a token under another spelling is never remembered either', async () => {
    for (const query of ['topic=a&access%5Ftoken=secret', 'topic=a&%61ccess_token=secret', 'topic=a&access%5ftoken=secret', 'lastEvent%49d=1-0&topic=a', 'topic=a&access_token']) {
      seen.length = 0
      expect(await status(query), query).toBe(200)
      expect(await status(query), query).toBe(200)
      expect(seen[1], query).not.toBe(seen[0])
    }
    // The same query parsed by h3 has the credential under its plain name: what the check looked for.
    expect(getQuery({ path: '/?topic=a&access%5Ftoken=secret' } as H3Event).access_token).toBe('secret')
    // Keys that only look alike are not it, and such a query is remembered as usual.
    for (const query of ['topic=a&access+token=x', 'topic=a&access_token%3D=x', 'topic=a&xaccess_token=x']) {
      seen.length = 0
      await status(query)
      await status(query)
      expect(seen[1], query).toBe(seen[0])
    }
  })

  it('never remembers a refusal: the same bad query is refused every time', async () => {
    for (let i = 0; i < 3; i++) expect(await status('count=0')).toBe(400)
  })

  it('keeps a bounded number: a flood of distinct queries still validates each one correctly', async () => {
    for (let i = 1; i <= 1200; i++) expect(await status(`count=${i}&topic=t${i}`)).toBe(200)
    seen.length = 0
    expect(await status('count=3&topic=x')).toBe(200)
    expect(seen[0]).toMatchObject({ count: 3, topic: new Set(['x']) })
  })
})
