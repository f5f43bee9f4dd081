import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { rootDir } from './server'

export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise(resolve => server.close(resolve))
  return port
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} did not come up within ${timeoutMs} ms`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise(resolve => child.once('exit', () => resolve()))
}

export interface RedisServer {
  url: string
  port: number
  start: () => Promise<void>
  stop: () => Promise<void>
  dispose: () => Promise<void>
}

/**
 * A real `redis-server` (Debian's package) on a free port, with an append-only file fsynced on every
 * write, so events acknowledged before a restart are still there after it.
 */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'notify-redis-'))
  let child: ChildProcess | undefined
  const ping = () => new Promise<boolean>((resolve) => {
    const probe = spawn('redis-cli', ['-p', String(port), 'ping'])
    let out = ''
    probe.stdout.on('data', (chunk) => {
      out += chunk
    })
    probe.on('exit', () => resolve(out.trim() === 'PONG'))
  })
  const redis: RedisServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''], { stdio: 'ignore' })
      await waitFor(ping, 'redis-server')
    },
    async stop() {
      if (!child) return
      child.kill('SIGTERM')
      await exited(child)
      child = undefined
    },
    async dispose() {
      await redis.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  await redis.start()
  return redis
}

export interface AppInstance {
  url: string
  child: ChildProcess
  logs: () => string
  stop: () => Promise<void>
}

/** One more production server process (the build from build-once.ts), with its own env. */
export async function startInstance(env: Record<string, string>): Promise<AppInstance> {
  const port = await freePort()
  let logs = ''
  const child = spawn(process.execPath, [`${rootDir}.output/server/index.mjs`], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout!.on('data', (chunk) => {
    logs += chunk
  })
  child.stderr!.on('data', (chunk) => {
    logs += chunk
  })
  const url = `http://127.0.0.1:${port}`
  // Up, and its bus ready (on Redis: its reading loop has its place in the stream).
  await waitFor(async () => (await (await fetch(`${url}/api/health`)).json()).status === 'ok', `the app on port ${port}`)
  return {
    url,
    child,
    logs: () => logs,
    async stop() {
      child.kill('SIGTERM')
      await exited(child)
    },
  }
}
