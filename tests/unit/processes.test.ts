import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { waitForProcess } from '../support/processes'

// The helpers the e2e tests start redis-server and app instances with: a missing binary, a crash or
// a process that never gets ready must fail the test at once, with the process's own words.
describe('waitForProcess', () => {
  it('reports a missing binary (ENOENT) at once', async () => {
    const child = spawn('no-such-binary-for-notify-tests', [])
    const started = Date.now()
    await expect(waitForProcess(child, 'no-such-binary', async () => false)).rejects.toThrow(/no-such-binary could not be started: spawn no-such-binary-for-notify-tests ENOENT/)
    expect(Date.now() - started).toBeLessThan(1000)
  })

  it('reports an exit before ready, with the tail of its output', async () => {
    let output = ''
    const child = spawn('sh', ['-c', 'echo "port already in use" >&2; exit 3'])
    child.stderr.on('data', chunk => (output += chunk))
    await expect(waitForProcess(child, 'the fake server', async () => false, () => output)).rejects.toThrow(/the fake server exited \(code 3\) before it was ready:\nport already in use/)
  })

  it('gives up at its deadline when the process never gets ready', async () => {
    const child = spawn('sleep', ['30'])
    const started = Date.now()
    try {
      await expect(waitForProcess(child, 'the sleeper', async () => false, () => '', 300)).rejects.toThrow(/the sleeper was not ready within 300 ms/)
      expect(Date.now() - started).toBeLessThan(1500)
    }
    finally {
      child.kill()
    }
  })

  it('bounds a probe that never answers', async () => {
    const child = spawn('sleep', ['30'])
    try {
      const hanging = () => new Promise<boolean>(() => {})
      await expect(waitForProcess(child, 'the silent one', hanging, () => '', 500)).rejects.toThrow(/not ready within 500 ms/)
    }
    finally {
      child.kill()
    }
  })

  it('resolves once the check holds', async () => {
    const child = spawn('sleep', ['30'])
    let probes = 0
    try {
      await waitForProcess(child, 'the sleeper', async () => ++probes >= 3)
      expect(probes).toBe(3)
    }
    finally {
      child.kill()
    }
  })
})
