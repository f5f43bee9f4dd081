import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { freePort, waitForProcess } from './processes'

/**
 * Where Debian's `postgresql` package puts the server binaries (`/usr/lib/postgresql/<major>/bin`,
 * the newest major), or POSTGRES_BIN; undefined when neither has initdb.
 */
export function postgresBinDir(): string | undefined {
  if (process.env.POSTGRES_BIN) return existsSync(join(process.env.POSTGRES_BIN, 'initdb')) ? process.env.POSTGRES_BIN : undefined
  const base = '/usr/lib/postgresql'
  const majors = existsSync(base) ? readdirSync(base).filter(name => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a)) : []
  return majors.map(major => join(base, major, 'bin')).find(dir => existsSync(join(dir, 'initdb')))
}

/**
 * initdb and postgres refuse to run as root (CI and this machine run the tests as root): there they
 * run as the package's `postgres` user, through setpriv, which execs (no extra process: a signal
 * sent to the child reaches the server itself, kill -9 included).
 */
function runAs(): { uid: number, gid: number, wrap: (cmd: string, args: string[]) => [string, string[]] } | undefined {
  if (process.getuid?.() !== 0) return undefined
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' })
  const uid = Number(id('-u').stdout.trim())
  const gid = Number(id('-g').stdout.trim())
  if (!Number.isInteger(uid) || !uid || !Number.isInteger(gid)) throw new Error('PostgreSQL tests run as root need the `postgres` user (Debian\'s postgresql package creates it)')
  return { uid, gid, wrap: (cmd, args) => ['setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--', cmd, ...args]] }
}

async function canQuery(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 })
  client.on('error', () => {})
  try {
    await client.connect()
    await client.query('SELECT 1')
    return true
  }
  finally {
    await client.end().catch(() => {})
  }
}

export interface PostgresServer {
  /** The `postgres` database of the server: postgres://notify@127.0.0.1:<port>/postgres */
  url: string
  port: number
  /** A new, empty database on this server; its URL. */
  createDatabase: (name: string) => Promise<string>
  start: () => Promise<void>
  /** Fast shutdown (SIGINT: connections are closed, the data is kept). */
  stop: () => Promise<void>
  dispose: () => Promise<void>
}

/**
 * A real PostgreSQL server (Debian's package) of its own: initdb in a temp dir, on a free port of
 * 127.0.0.1, its unix socket in that dir too, trust auth for the `notify` superuser. Fails at once,
 * naming the package, when the binaries are missing.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDir()
  if (!bin) throw new Error('The PostgreSQL tests need Debian\'s `postgresql` package (initdb in /usr/lib/postgresql/<major>/bin, or set POSTGRES_BIN): sudo apt-get install -y postgresql')
  const user = runAs()
  const dir = mkdtempSync(join(tmpdir(), 'notify-postgres-'))
  const data = join(dir, 'data')
  mkdirSync(data, { mode: 0o700 })
  if (user) {
    chownSync(dir, user.uid, user.gid)
    chownSync(data, user.uid, user.gid)
  }
  const command = (name: string, args: string[]): [string, string[]] => user ? user.wrap(join(bin, name), args) : [join(bin, name), args]

  const [initCmd, initArgs] = command('initdb', ['-D', data, '-U', 'notify', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'])
  const init = spawnSync(initCmd, initArgs, { encoding: 'utf8', timeout: 60_000 })
  if (init.error || init.status !== 0) {
    rmSync(dir, { recursive: true, force: true })
    throw new Error(`initdb failed (${init.error?.message ?? `exit ${init.status}`}):\n${(init.stderr || init.stdout || '').trim().split('\n').slice(-15).join('\n')}`)
  }

  const port = await freePort()
  const url = `postgres://notify@127.0.0.1:${port}/postgres`
  let child: ChildProcess | undefined
  const server: PostgresServer = {
    url,
    port,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      try {
        await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`)
      }
      finally {
        await client.end()
      }
      return `postgres://notify@127.0.0.1:${port}/${encodeURIComponent(name)}`
    },
    async start() {
      let output = ''
      const [cmd, args] = command('postgres', ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'])
      child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
      child.stdout!.on('data', chunk => (output += chunk))
      child.stderr!.on('data', chunk => (output += chunk))
      await waitForProcess(child, `postgres on port ${port}`, () => canQuery(url), () => output, 30_000)
    },
    async stop() {
      const running = child
      child = undefined
      if (!running || running.exitCode !== null || running.signalCode !== null) return
      const exited = new Promise<void>(resolve => running.once('exit', () => resolve()))
      running.kill('SIGINT')
      const timer = setTimeout(() => running.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(timer)
    },
    async dispose() {
      await server.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  try {
    await server.start()
  }
  catch (error) {
    await server.dispose()
    throw error
  }
  return server
}
