import { createServer, get } from 'node:https'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { endpointProblem, isPublicAddress, publicOnlyAgent } from '#server/lib/push'

const none = new Set<string>()

describe('the push endpoint rule', () => {
  it('takes public addresses only', () => {
    for (const address of ['8.8.8.8', '142.250.74.78', '2607:f8b0:4004:800::200e', '1.1.1.1']) expect({ address, public: isPublicAddress(address) }).toEqual({ address, public: true })
    for (const address of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.0.1', '169.254.169.254', '100.64.0.1', '0.0.0.0',
      '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '64:ff9b::a00:1', 'ff02::1', 'not-an-ip']) {
      expect({ address, public: isPublicAddress(address) }).toEqual({ address, public: false })
    }
  })

  it('refuses what is not https to a public address, unless the host is allowed', async () => {
    expect(await endpointProblem('https://8.8.8.8/push/x', none)).toBeUndefined()
    expect(await endpointProblem('http://8.8.8.8/push/x', none)).toMatch(/https/)
    expect(await endpointProblem('https://127.0.0.1:8443/push/x', none)).toMatch(/public address/)
    expect(await endpointProblem('https://localhost/push/x', none)).toMatch(/public address/)
    expect(await endpointProblem('https://[::ffff:10.0.0.1]/push/x', none)).toMatch(/public address/)
    expect(await endpointProblem('https://a:b@8.8.8.8/push/x', none)).toMatch(/credentials/)
    expect(await endpointProblem('https://no-such-host.invalid/push', none)).toMatch(/does not resolve/)
    expect(await endpointProblem(`https://8.8.8.8/${'x'.repeat(3000)}`, none)).toMatch(/longer/)
    expect(await endpointProblem('https://127.0.0.1:8443/push/x', new Set(['127.0.0.1']))).toBeUndefined()
  })

  it('refuses to connect where a name now resolves to an address that is not public', async () => {
    const server = createServer((_, response) => response.end('reached'))
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    const agent = publicOnlyAgent(none)
    try {
      const error = await new Promise<NodeJS.ErrnoException>((resolve, reject) => {
        get(`https://localhost:${port}/`, { agent, rejectUnauthorized: false }, () => reject(new Error('connected to loopback'))).on('error', resolve)
      })
      expect(error.code).toBe('ENOTPUBLIC')
    }
    finally {
      agent.destroy()
      server.closeAllConnections()
      await new Promise(resolve => server.close(resolve))
    }
  })
})
