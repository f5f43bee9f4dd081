import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { type Instance, instanceApi } from './instance'
import { rootDir } from './root'

export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise(resolve => server.close(resolve))
  return port
}

/** Resolves with `value` after `ms`, so no single probe can hold a wait past its deadline. */
function after<T>(ms: number, value: T): Promise<T> {
  return new Promise(resolve => setTimeout(resolve, ms, value).unref())
}

/**
 * Waits until `check` holds for a process just spawned, or fails with what went wrong: the
 * process's own spawn error (ENOENT when the binary is missing), its exit before it was ready
 * (with the tail of its output), or the deadline. Every probe gets a deadline of its own too.
 */
export async function waitForProcess(child: ChildProcess, what: string, check: () => Promise<boolean>, output: () => string = () => '', timeoutMs = 20_000): Promise<void> {
  let failure: Error | undefined
  const tail = () => output().trim().split('\n').slice(-20).join('\n')
  const onError = (error: Error) => (failure ??= new Error(`${what} could not be started: ${error.message}`))
  const onExit = (code: number | null, signal: string | null) => (failure ??= new Error(`${what} exited (${signal ?? `code ${code}`}) before it was ready${tail() ? `:\n${tail()}` : ''}`))
  child.once('error', onError)
  child.once('exit', onExit)
  try {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      if (failure) throw failure
      if (await Promise.race([check().catch(() => false), after(2000, false)])) return
      if (failure) throw failure
      if (Date.now() > deadline) throw new Error(`${what} was not ready within ${timeoutMs} ms${tail() ? `; its output:\n${tail()}` : ''}`)
      await after(100, undefined)
    }
  }
  finally {
    child.off('exit', onExit)
  }
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null || child.pid === undefined
    ? Promise.resolve()
    : new Promise(resolve => child.once('exit', () => resolve()))
}

/** Stops a child: SIGTERM, then SIGKILL if it is still there after `graceMs`. */
export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
  child.kill('SIGTERM')
  if (await Promise.race([exited(child).then(() => true), after(graceMs, false)])) return
  child.kill('SIGKILL')
  await exited(child)
}

/** PING over a plain socket (no redis-cli needed): true on +PONG. */
export function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let reply = ''
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(1000, () => done(false))
    socket.once('error', () => done(false))
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.on('data', (chunk) => {
      reply += chunk
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'))
    })
  })
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
  const redis: RedisServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      let output = ''
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''], { stdio: ['ignore', 'pipe', 'pipe'] })
      child.stdout!.on('data', chunk => (output += chunk))
      child.stderr!.on('data', chunk => (output += chunk))
      await waitForProcess(child, `redis-server on port ${port}`, () => redisPing(port), () => output)
    },
    async stop() {
      if (!child) return
      await stopProcess(child)
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

export interface AppInstance extends Instance {
  child: ChildProcess
  logs: () => string
}

/**
 * A store of its own for a test server (a SQLite file in a fresh temp dir), unless the test names
 * one: servers of different test files never share the repository's .data/notify.sqlite.
 */
export function ownStoreEnv(env: Record<string, string | undefined> = {}): Record<string, string> {
  if (env.NUXT_NOTIFY_DATABASE_URL !== undefined) return {}
  return { NUXT_NOTIFY_DATABASE_URL: `file:${join(mkdtempSync(join(tmpdir(), 'notify-store-')), 'notify.sqlite')}` }
}

/** One more production server process (the build from build-once.ts), with its own env. */
export async function startInstance(env: Record<string, string>): Promise<AppInstance> {
  const port = await freePort()
  let logs = ''
  const store = ownStoreEnv(env)
  const child = spawn(process.execPath, [`${rootDir}.output/server/index.mjs`], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production', ...store, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout!.on('data', (chunk) => {
    logs += chunk
  })
  child.stderr!.on('data', (chunk) => {
    logs += chunk
  })
  // Its own store goes with it.
  if (store.NUXT_NOTIFY_DATABASE_URL) child.once('exit', () => rmSync(dirname(store.NUXT_NOTIFY_DATABASE_URL!.slice('file:'.length)), { recursive: true, force: true }))
  const url = `http://127.0.0.1:${port}`
  // Up, and its bus ready (on Redis: its reading loop has its place in the stream).
  const healthy = async () => (await (await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) })).json()).status === 'ok'
  try {
    await waitForProcess(child, `the app on port ${port}`, healthy, () => logs)
  }
  catch (error) {
    await stopProcess(child)
    throw error
  }
  return Object.assign(instanceApi(() => url, () => stopProcess(child)), { child, logs: () => logs })
}
