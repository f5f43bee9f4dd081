/**
 * The orchestrator's own HTTP to a server: publishes, stats, warm-up. The load itself comes from the
 * load client's raw sockets, in another process.
 */
import { Agent, request } from 'node:http'
import { PUBLISH_TOKEN } from './options.ts'
import { sleep } from './processes.ts'

/**
 * A new connection per request, except through `agent`: the publish loop keeps one connection for its
 * requests. (A kept-alive socket idle for more than the server's 5 s keep-alive timeout, as it is
 * across a forced GC at 10k, would sooner or later be reused just as the server closes it: ECONNRESET.)
 */
export function http(port: number, method: string, path: string, body?: unknown, agent: Agent | false = false): Promise<{ status: number, body: string }> {
  return new Promise((resolve, reject) => {
    const json = body === undefined ? undefined : JSON.stringify(body)
    const headers = json === undefined ? {} : { 'authorization': `Bearer ${PUBLISH_TOKEN}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) }
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers, timeout: 10_000 }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (chunk: string) => text += chunk).on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
    })
    req.on('timeout', () => req.destroy(new Error('timed out'))).on('error', error => reject(new Error(`${method} ${path} on port ${port}: ${error.message}`)))
    req.end(json)
  })
}

/** Publishes one event; throws unless the server took it. Returns the server's answer. */
export async function publish(port: number, topic: string, data: unknown, agent?: Agent): Promise<{ id: string, delivered: number }> {
  const answer = await http(port, 'POST', '/api/notify/publish', { topic, data }, agent)
  if (answer.status !== 200) throw new Error(`publish answered ${answer.status}: ${answer.body}`)
  return JSON.parse(answer.body) as { id: string, delivered: number }
}

export { Agent }

/** Opens a GET and hangs up at its first bytes (a broadcast stream never ends by itself). */
export function touch(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: 10_000 }, (res) => {
      const done = () => {
        req.destroy()
        resolve(res.statusCode ?? 0)
      }
      res.once('data', done).once('end', done)
    })
    req.on('timeout', () => req.destroy(new Error('timed out'))).on('error', error => reject(new Error(`GET ${path} on port ${port}: ${error.message}`))).end()
  })
}

export async function openStreams(port: number): Promise<number> {
  const { body } = await http(port, 'GET', '/api/notify/stats')
  return (JSON.parse(body) as { connections: { total: number } }).connections.total
}

/** Polls the server's own count of open streams until it is 0 (or time is up); returns the last count. */
export async function waitForNoStreams(port: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs
  let open = await openStreams(port)
  while (open > 0 && Date.now() < deadline) {
    await sleep(100)
    open = await openStreams(port)
  }
  return open
}

/**
 * Nitro loads a route's code on its first request: every route is used a few times before anything
 * is measured, so no measured phase carries module loading (the baseline has none to do).
 */
export async function warmUp(port: number): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await touch(port, '/api/notify/events?topic=warmup')
    await http(port, 'POST', '/api/notify/publish', { topic: 'warmup', data: { seq: 0, sentAt: 0 } })
    await touch(port, '/api/notify/stream?count=2&interval=10')
  }
  await waitForNoStreams(port, 5000)
}
