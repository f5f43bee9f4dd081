/**
 * A throwaway PostgreSQL server for the stored-publish scenario, started as tests/support/postgres.ts
 * starts the tests' one (Debian's package: initdb in a temp dir, a free port of 127.0.0.1, trust auth
 * for the `notify` superuser; as root, initdb and postgres run as the `postgres` user through setpriv).
 * That file is not imported: it resolves imports without extensions, which the bench's plain `node`
 * can't. Durability settings are PostgreSQL's defaults (fsync, synchronous_commit on): an
 * acknowledged stored publish is on disk, as in production.
 */
import { spawn, spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { sleep, stopProcess, track, trackTempDir } from './processes.ts'
import { freePort } from './servers.ts'

function binDir(): string | undefined {
  if (process.env.POSTGRES_BIN) return process.env.POSTGRES_BIN
  const base = '/usr/lib/postgresql'
  const majors = existsSync(base) ? readdirSync(base).filter(name => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a)) : []
  return majors.map(major => join(base, major, 'bin')).find(dir => existsSync(join(dir, 'initdb')))
}

export interface BenchPostgres {
  /** A new, empty database on the server: its URL. */
  createDatabase: (name: string) => Promise<string>
  pid: number
  stop: () => Promise<void>
}

/** Throws, naming the package, when PostgreSQL is not installed. */
export async function startPostgres(): Promise<BenchPostgres> {
  const bin = binDir()
  if (!bin) throw new Error('no PostgreSQL server binaries (apt-get install postgresql, or set POSTGRES_BIN)')
  const asRoot = process.getuid?.() === 0
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim())
  const uid = asRoot ? id('-u') : 0
  const gid = asRoot ? id('-g') : 0
  const command = (name: string, args: string[]): [string, string[]] => asRoot ? ['setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--', join(bin, name), ...args]] : [join(bin, name), args]
  const dir = trackTempDir(mkdtempSync(join(tmpdir(), 'nuxt-sse-bench-pg-')))
  const data = join(dir, 'data')
  mkdirSync(data, { mode: 0o700 })
  if (asRoot) {
    chownSync(dir, uid, gid)
    chownSync(data, uid, gid)
  }
  const [initCmd, initArgs] = command('initdb', ['-D', data, '-U', 'notify', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'])
  const init = spawnSync(initCmd, initArgs, { encoding: 'utf8', timeout: 60_000 })
  if (init.error || init.status !== 0) throw new Error(`initdb failed: ${init.error?.message ?? init.stderr}`)

  const port = await freePort()
  const url = (db: string) => `postgres://notify@127.0.0.1:${port}/${db}`
  const [cmd, args] = command('postgres', ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'])
  const child = track(spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] }))
  let output = ''
  child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)))
  const query = async (sql: string) => {
    const client = new pg.Client({ connectionString: url('postgres'), connectionTimeoutMillis: 1000 })
    client.on('error', () => {})
    try {
      await client.connect()
      await client.query(sql)
    }
    finally {
      await client.end().catch(() => {})
    }
  }
  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited at start:\n${output}`)
    if (await query('SELECT 1').then(() => true, () => false)) break
    if (Date.now() > deadline) throw new Error(`postgres on port ${port} did not answer within 30 s:\n${output}`)
    await sleep(200)
  }
  return {
    pid: child.pid!,
    async createDatabase(name) {
      await query(`CREATE DATABASE "${name}"`)
      return url(name)
    },
    stop: () => stopProcess(child),
  }
}
