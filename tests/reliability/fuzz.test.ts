import { connect } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { startInstance } from '../support/processes'
import { seededRandom } from '../support/seeded-random'
import { TOKEN } from '../support/server'
import { eventually, openSse } from '../support/sse'

const app = await startInstance({ NUXT_NOTIFY_PUBLISH_TOKEN: TOKEN, NUXT_NOTIFY_DEMO_PUBLISHER: 'false', NUXT_NOTIFY_MAX_STREAMS_PER_IP: '0' })
afterAll(() => app.stop())
const { hostname, port } = new URL(app.url)

// A failure replays with FUZZ_SEED=<the seed in the test's name>.
const { seed: SEED, next, pick } = seededRandom(20261127)
const bytes = (length: number) => Buffer.from(Array.from({ length }, () => Math.floor(next() * 256)))

const PATHS = ['/api/notify/stream', '/notify/stream', '/api/notify/events', '/api/notify/publish', '/api/notify/stats', '/api/health']
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH']
const QUERY_VALUES = ['', '0', '-1', '1e9', '9'.repeat(400), 'NaN', '%00', '%ff%fe', '%0d%0aid:%20x', 'a'.repeat(5000), '[]', '{}', '..%2f..%2f']
const BODIES: Array<() => Buffer | string> = [
  () => '{"data":' + '['.repeat(20_000) + ']'.repeat(20_000) + '}',
  () => '{"data":' + '{"a":'.repeat(3000) + '1' + '}'.repeat(3000) + '}',
  () => '{"data":[1,2',
  () => '{"topic":"a\\nb","data":1}',
  () => '{"event":"x\\r\\nid: 9","data":1}',
  () => '{"data":"ok","__proto__":{"polluted":true}}',
  () => bytes(200),
  () => Buffer.from([0x7B, 0x22, 0x64, 0x61, 0x74, 0x61, 0x22, 0x3A, 0x22, 0xFF, 0xC0, 0x80, 0x22, 0x7D]),
  () => 'x'.repeat(10 * 1024 * 1024),
  () => '',
  () => 'null',
  () => `{"data":"${'\\u0000'.repeat(100)}"}`,
]

function fuzzRequest(): Buffer {
  // Half aim at the publish API with a valid token and JSON type, so the bodies reach the validation.
  if (next() < 0.5) {
    const body = Buffer.from(pick(BODIES)())
    return Buffer.concat([Buffer.from(`POST /api/notify/publish HTTP/1.1\r\nhost: ${hostname}\r\nauthorization: Bearer ${TOKEN}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`), body])
  }
  const method = pick(METHODS)
  const keys = ['count', 'interval', 'topic', 'lastEventId', 'x']
  const query = Array.from({ length: Math.floor(next() * 4) }, () => `${pick(keys)}=${pick(QUERY_VALUES)}`).join('&')
  const headers: Array<string | Buffer> = [`host: ${hostname}`]
  if (next() < 0.5) headers.push(Buffer.concat([Buffer.from('last-event-id: '), next() < 0.5 ? bytes(Math.floor(next() * 3000)).filter(byte => byte !== 10 && byte !== 13) : Buffer.from('9'.repeat(8000))]))
  if (next() < 0.5) headers.push(`authorization: ${pick([`Bearer ${TOKEN}`, 'Bearer', 'Bearer x', 'Basic Og=='])}`)
  if (next() < 0.5) headers.push(`content-type: ${pick(['application/json', 'application/json; charset=utf-8', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded'])}`)
  if (next() < 0.3) headers.push(`origin: ${pick(['null', 'https://evil.example', 'http://localhost:5173'])}`)
  const body = method === 'POST' || method === 'PUT' ? pick(BODIES)() : ''
  const length = Buffer.byteLength(body)
  if (length && next() < 0.8) headers.push(`content-length: ${length}`)
  else if (length) headers.push('transfer-encoding: chunked')
  const chunked = headers.includes('transfer-encoding: chunked')
  const head = Buffer.concat([Buffer.from(`${method} ${pick(PATHS)}${query ? `?${query}` : ''} HTTP/1.1\r\n`), ...headers.flatMap(h => [Buffer.from(h), Buffer.from('\r\n')]), Buffer.from('\r\n')])
  const payload = Buffer.from(body)
  return chunked ? Buffer.concat([head, Buffer.from(`${payload.length.toString(16)}\r\n`), payload, Buffer.from('\r\n0\r\n\r\n')]) : Buffer.concat([head, payload])
}

/** Sends raw bytes, returns the status code of the answer (0 if the server closed without one). */
function send(request: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname)
    let head = ''
    const done = (status: number) => {
      socket.destroy()
      resolve(status)
    }
    socket.setTimeout(10_000, () => done(-1))
    socket.on('error', () => done(Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0)))
    socket.on('close', () => done(Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0)))
    socket.on('data', (chunk) => {
      head += chunk.toString('latin1')
      const status = /^HTTP\/1\.1 (\d{3})/.exec(head)
      if (status && head.includes('\r\n\r\n')) done(Number(status[1]))
    })
    socket.write(request)
  })
}

describe(`fuzzed requests (FUZZ_SEED=${SEED})`, () => {
  it('never get a 5xx, never crash the server, never corrupt what subscribers receive', async () => {
    const watcher = await openSse(`${app.url}/api/notify/events?topic=broadcast&topic=a&topic=x`)
    const statuses = new Map<number, number>()
    let sent = 0
    for (; sent < 400; sent++) {
      const i = sent
      const request = fuzzRequest()
      const status = await send(request)
      statuses.set(status, (statuses.get(status) ?? 0) + 1)
      const what = `request #${i} (seed ${SEED}): ${request.subarray(0, 120).toString('latin1')}`
      // 0: the server answered 413 and closed while a 10 MiB body was still being sent.
      if (status === 0) expect(request.length, what).toBeGreaterThan(1024 * 1024)
      else expect(status, what).toBeGreaterThanOrEqual(200)
      expect(status, what).toBeLessThan(500)
    }
    expect(sent).toBe(400)
    expect(app.child.exitCode).toBeNull()
    expect((await fetch(`${app.url}/api/health`)).status).toBe(200)

    // The watcher is still subscribed and in step: a marker published now arrives, after whatever
    // the fuzzed publishes got through.
    const marker = await app.publish({ topic: 'x', data: 'fuzz-end' })
    await watcher.until(s => s.events.some(event => event.id === marker.id), 10_000)

    // Every frame the watcher got is well-formed: known fields only, JSON data.
    for (const line of watcher.raw.split('\n')) expect(line).toMatch(/^(?:$|:$|(?:id|event|retry|data): )/)
    for (const event of watcher.events) expect(() => JSON.parse(event.data)).not.toThrow()
    watcher.close()
    const open = await eventually(() => app.stats(), s => s.connections.total === 0)
    expect(open.connections.total).toBe(0)
    console.info('fuzz statuses', Object.fromEntries(statuses))
  }, 60_000)
})
