import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createServer, get } from 'node:http'
import { describe, expect, it } from 'vitest'
import { onceClosed } from '../../server/lib/sse/disconnect'

describe('onceClosed', () => {
  it('calls back at once for a client that left before the handler looked, and later for one that leaves after', async () => {
    const responses: ServerResponse[] = []
    const server = createServer((_req, res) => void responses.push(res))
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    const open = () => {
      const req = get({ host: '127.0.0.1', port, path: '/' }, (_res: IncomingMessage) => {})
      req.on('error', () => {})
      return req
    }
    try {
      const early = open()
      await expect.poll(() => responses.length).toBe(1)
      early.destroy()
      await expect.poll(() => responses[0]!.closed).toBe(true)
      let earlyCalls = 0
      onceClosed(responses[0]!, () => earlyCalls++) // 'close' was emitted before this: no second one comes
      expect(earlyCalls).toBe(1)

      const late = open()
      await expect.poll(() => responses.length).toBe(2)
      let lateCalls = 0
      onceClosed(responses[1]!, () => lateCalls++)
      expect(lateCalls).toBe(0)
      late.destroy()
      await expect.poll(() => lateCalls).toBe(1)
    }
    finally {
      server.close()
    }
  })
})
