// Runs the built Netlify function (v2: `export default (request: Request, context) => Response`)
// behind a Node server, as Netlify's runtime does: a web Request whose signal aborts when the client
// leaves, and the Response body streamed out; a client disconnect cancels the body.
// Usage: node netlify.mjs <path to functions-internal/server/server.mjs>   (PORT, HOST from env)
import { createServer } from 'node:http'
import { Readable } from 'node:stream'
import { pathToFileURL } from 'node:url'

const { default: handler, config } = await import(pathToFileURL(process.argv[2]).href)
if (typeof handler !== 'function' || !config?.path) throw new Error('not a Netlify v2 function module')

const server = createServer(async (req, res) => {
  const abort = new AbortController()
  res.once('close', () => abort.abort())
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
  const request = new Request(`http://${req.headers.host}${req.url}`, {
    method: req.method,
    headers: Object.entries(req.headers).flatMap(([k, v]) => (Array.isArray(v) ? v.map(x => [k, x]) : [[k, v]])),
    body: hasBody ? Readable.toWeb(req) : undefined,
    duplex: hasBody ? 'half' : undefined,
    signal: abort.signal,
  })
  const context = { requestId: crypto.randomUUID(), site: {}, deploy: {}, geo: {}, ip: req.socket.remoteAddress, params: {}, waitUntil: () => {} }
  const response = await handler(request, context)
  res.writeHead(response.status, Object.fromEntries(response.headers))
  res.flushHeaders()
  if (!response.body) return res.end()
  const reader = response.body.getReader()
  res.once('close', () => {
    if (!res.writableFinished) reader.cancel().catch(() => {})
  })
  for (;;) {
    const { done, value } = await reader.read().catch(() => ({ done: true }))
    if (done || res.destroyed) break
    res.write(value)
  }
  res.end()
})
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1', () => console.log(`netlify host on ${process.env.PORT}`))
