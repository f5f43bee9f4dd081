/**
 * The servers under test, started fresh for every measurement from a temp dir:
 * - nuxt: the production build (.output), copied, since others rebuild .output while we run;
 * - baseline: servers/baseline.ts, the same routes on bare node:http;
 * - better-sse: servers/better-sse.ts, the broadcast route with better-sse's sessions and channel.
 * The two .ts servers are stripped of their types in the temp dir: run as .ts, Node would load its
 * type stripper into the server (~17 MB of RSS they don't need).
 */
import type { ChildProcess } from 'node:child_process'
import { spawn } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { stripTypeScriptTypes } from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { Inspector } from './inspector.ts'
import { openInspector } from './inspector.ts'
import { http } from './http.ts'
import type { TargetName } from './options.ts'
import { PUBLISH_TOKEN, options } from './options.ts'
import { sleep, stopProcess, track, trackTempDir } from './processes.ts'

export const BENCH_DIR = dirname(import.meta.dirname)
export const ROOT = dirname(BENCH_DIR)

export interface Server { name: TargetName, child: ChildProcess, pid: number, port: number, output: string[], inspector: Inspector }

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    }).on('error', reject)
  })
}

/** The date in .output/nitro.json: written last by a build, removed first by the next one. */
function buildDate(dir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, 'nitro.json'), 'utf8')) as { date: string }).date
  }
  catch {
    return undefined
  }
}

let entries: Record<TargetName, string> | undefined

/**
 * The node flags `npm start` gives the production server (package.json `start`: `node <flags>
 * .output/server/index.mjs`): the bench runs Nuxt as production runs it, no more and no less.
 */
export const START_FLAGS: string[] = (() => {
  const start = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start
  const flags = /^node\s+(.*?)\s*\.output\/server\/index\.mjs$/.exec(start.trim())
  if (!flags) throw new Error(`bench: package.json "start" is not \`node [flags] .output/server/index.mjs\`: ${start}`)
  return flags[1]!.split(/\s+/).filter(Boolean)
})()

/** A .ts server stripped to .mjs in `dir`; bare imports are pinned to the files they resolve to here. */
function stripped(dir: string, source: string, pinned: string[] = []): string {
  let code = stripTypeScriptTypes(readFileSync(join(BENCH_DIR, 'servers', source), 'utf8'))
  for (const specifier of pinned) code = code.replaceAll(`from '${specifier}'`, `from '${import.meta.resolve(specifier)}'`)
  const file = join(dir, source.replace(/\.ts$/, '.mjs'))
  writeFileSync(file, code)
  return file
}

/**
 * Puts every server in a temp dir. The Nuxt build is copied once a build is finished, and copied again
 * when it changed while we copied. Returns when that build was made.
 */
export async function prepareServers(targets: TargetName[]): Promise<{ builtAt?: string }> {
  const dir = trackTempDir(mkdtempSync(join(tmpdir(), 'nuxt-sse-bench-')))
  const nuxt = join(dir, '.output/server/index.mjs')
  entries = { baseline: stripped(dir, 'baseline.ts'), ['better-sse']: stripped(dir, 'better-sse.ts', ['better-sse']), nuxt }
  if (!targets.includes('nuxt')) return {}
  const output = join(ROOT, '.output')
  for (let attempt = 0; attempt < 60; attempt++) {
    const before = buildDate(output)
    if (before) {
      rmSync(join(dir, '.output'), { recursive: true, force: true })
      cpSync(output, join(dir, '.output'), { recursive: true })
      if (buildDate(output) === before && buildDate(join(dir, '.output')) === before && existsSync(nuxt)) return { builtAt: before }
    }
    if (attempt === 0) console.error('bench: waiting for a finished build in .output (`npm run build`)...')
    await sleep(2000)
  }
  throw new Error('No finished build in .output/ after 2 minutes: run `npm run build` first.')
}

/**
 * Starts one server on a free port, with its inspector open, and returns once it answers
 * /api/notify/stats (or throws within 30 s with the server's own output). `env` adds to the bench's
 * settings: no demo publisher, a 10-minute heartbeat, no stream caps (all the load comes from one
 * address, standing in for N clients), the in-memory bus unless a Redis URL is given.
 */
export async function startServer(name: TargetName, env: Record<string, string> = {}): Promise<Server> {
  const port = await freePort()
  const flags = [...options.nodeFlags, ...(name === 'nuxt' ? [...START_FLAGS, ...options.nuxtNodeFlags] : [])]
  const child = track(spawn(process.execPath, [...flags, '--inspect=127.0.0.1:0', entries![name]], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      NUXT_NOTIFY_PUBLISH_TOKEN: PUBLISH_TOKEN,
      NUXT_NOTIFY_DEMO_PUBLISHER: 'false',
      NUXT_NOTIFY_HEARTBEAT_MS: '600000',
      NUXT_NOTIFY_MAX_STREAMS_PER_IP: '0',
      NUXT_NOTIFY_MAX_STREAMS: '0',
      NUXT_NOTIFY_REDIS_URL: '',
      ...env,
    },
  }))
  const output: string[] = []
  let inspectorUrl: string | undefined
  const keep = (chunk: Buffer) => {
    const text = chunk.toString()
    inspectorUrl ??= /Debugger listening on (ws:\/\/\S+)/.exec(text)?.[1]
    output.push(...text.split('\n').filter(Boolean))
    output.splice(0, output.length - 40)
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline && child.exitCode === null) {
    const answer = await http(port, 'GET', '/api/notify/stats').catch(() => undefined)
    if (answer?.status === 200 && inspectorUrl) {
      return { name, child, pid: child.pid!, port, output, inspector: await openInspector(inspectorUrl) }
    }
    await sleep(100)
  }
  child.kill('SIGKILL')
  throw new Error(`${name} server did not come up on port ${port} within 30 s:\n${output.join('\n')}`)
}

export async function stopServer(server: Server): Promise<void> {
  server.inspector.close()
  await stopProcess(server.child)
}

/**
 * A throwaway redis-server on a free port, nothing persisted; for the storm's two Nuxt instances.
 * Throws, naming the package, when redis-server is not installed.
 */
export async function startRedis(): Promise<{ url: string, stop: () => Promise<void> }> {
  const port = await freePort()
  const child = track(spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] }))
  const failed = new Promise<never>((_, reject) => child.once('error', error => reject(new Error(`redis-server: ${error.message} (apt-get install redis-server)`))))
  const ready = new Promise<void>((resolve) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (/Ready to accept connections/.test(chunk.toString())) resolve()
    })
  })
  const timeout = sleep(10_000).then(() => {
    throw new Error('redis-server did not start within 10 s')
  })
  await Promise.race([ready, failed, timeout])
  return { url: `redis://127.0.0.1:${port}/0`, stop: () => stopProcess(child) }
}
