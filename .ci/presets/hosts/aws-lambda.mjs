// Runs the built aws-lambda (streaming) handler behind a Node server through a small shim of what
// the Lambda Node runtime provides: `globalThis.awslambda.streamifyResponse` (the handler is created
// with it at module top level, so the shim must exist before the import) and
// `awslambda.HttpResponseStream.from(stream, { statusCode, headers })`. Each HTTP request becomes a
// Lambda Function URL event (payload 2.0). When the client leaves, the response stream keeps
// accepting writes (they go nowhere), as we assume Lambda does: nothing tells the handler.
// Usage: node aws-lambda.mjs <path to .output/server/index.mjs>   (PORT, HOST from env)
import { createServer } from 'node:http'
import { Writable } from 'node:stream'
import { pathToFileURL } from 'node:url'

globalThis.awslambda = {
  streamifyResponse: handler => handler,
  HttpResponseStream: {
    from(stream, metadata) {
      stream.setMetadata(metadata)
      return stream
    },
  },
}
const { handler } = await import(pathToFileURL(process.argv[2]).href)

const server = createServer((req, res) => {
  const chunks = []
  req.on('data', c => chunks.push(c))
  req.on('end', async () => {
    const url = new URL(req.url, 'http://lambda')
    const started = Date.now()
    let clientGone = false
    let bytesAfterGone = 0
    res.once('close', () => {
      if (!res.writableFinished) clientGone = true
    })
    const responseStream = new Writable({
      write(chunk, _enc, callback) {
        if (clientGone) bytesAfterGone += chunk.length
        else res.write(chunk)
        callback()
      },
      final(callback) {
        if (!clientGone) res.end()
        callback()
      },
    })
    responseStream.setMetadata = ({ statusCode, headers = {}, cookies = [] }) => {
      const outgoing = { ...headers }
      delete outgoing['Transfer-Encoding']
      if (cookies.length) outgoing['set-cookie'] = cookies
      res.writeHead(statusCode ?? 200, outgoing)
      res.flushHeaders()
    }
    const body = Buffer.concat(chunks)
    const event = {
      version: '2.0',
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      queryStringParameters: url.search ? Object.fromEntries(url.searchParams) : undefined,
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v])),
      requestContext: { http: { method: req.method, path: url.pathname, sourceIp: req.socket.remoteAddress } },
      body: body.length ? body.toString('base64') : undefined,
      isBase64Encoded: body.length > 0,
    }
    const context = { awsRequestId: crypto.randomUUID(), getRemainingTimeInMillis: () => 900_000 }
    try {
      await handler(event, responseStream, context)
    }
    catch (error) {
      console.error('[lambda-host] handler threw', error)
      if (!res.headersSent) res.writeHead(502)
      res.end()
    }
    if (clientGone) console.log(`[lambda-host] invocation ${req.url} ended ${Date.now() - started} ms after it started; ${bytesAfterGone} bytes written after the client left`)
  })
})
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1', () => console.log(`aws-lambda host on ${process.env.PORT}`))
