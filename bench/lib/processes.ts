/**
 * Process control: every child the bench starts is registered here and killed on any exit of the
 * bench (normal, error, Ctrl-C, overall timeout), and what a process costs is read from /proc.
 */
import type { ChildProcess } from 'node:child_process'
import { execFileSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
export const MB = 1024 * 1024

// ---- whatever happens, no child outlives the run ---------------------------------------------------

const children = new Set<ChildProcess>()
const tempDirs = new Set<string>()

export function track(child: ChildProcess): ChildProcess {
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}

/** A directory removed when the bench exits. */
export function trackTempDir(dir: string): string {
  tempDirs.add(dir)
  return dir
}

process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL')
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130))

/** The whole run has a deadline too: a wedged step can't keep the machine busy for ever. */
export function exitAfter(minutes: number): void {
  setTimeout(() => {
    console.error(`\nbench: overall timeout (${minutes} min) reached, stopping.`)
    process.exit(2)
  }, minutes * 60_000).unref()
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
export async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise(resolve => child.once('exit', resolve))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
    await exited
    clearTimeout(timer)
  }
}

export const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, Math.max(0, ms)))
/** Wall clock with sub-ms resolution; the load client times deliveries with the same one. */
export const now = () => performance.timeOrigin + performance.now()

/** Polls `check` every `everyMs` until it returns a value or `timeoutMs` passed (then throws, naming `what`). */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => T | undefined | Promise<T | undefined>, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(everyMs)
  }
}

// ---- /proc -------------------------------------------------------------------------------------------

export function rssBytes(pid: number): number {
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024
}

/** utime + stime of a process, in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name (field 2) is in parentheses and may hold spaces: count the fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK
}

/** CPU seconds all processes have used so far (the non-idle columns of /proc/stat's first line). */
function machineBusySeconds(): number {
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
  return (user! + nice! + system! + irq! + softirq! + steal!) / CLK_TCK
}

export function openFilesLimit(): number {
  const limit = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1]
  return limit === 'unlimited' ? Number.POSITIVE_INFINITY : Number(limit)
}

/** Samples a process's RSS every 50 ms; `stop` returns the peak, in bytes. */
export function rssSampler(pid: number): { stop: () => number } {
  let peak = rssBytes(pid)
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssBytes(pid))
    }
    catch { /* the process is gone */ }
  }, 50)
  return {
    stop() {
      clearInterval(timer)
      try {
        return Math.max(peak, rssBytes(pid))
      }
      catch {
        return peak
      }
    },
  }
}

/** Write-class syscalls (write, writev, ...) and bytes a process has written so far, from /proc/<pid>/io. */
function writes(pid: number): { syscalls: number, bytes: number } {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8')
  return { syscalls: Number(/^syscw: (\d+)/m.exec(io)?.[1]), bytes: Number(/^wchar: (\d+)/m.exec(io)?.[1]) }
}

export interface Usage { server: number, client: number, other: number, writeSyscalls: number, writtenMB: number }

/**
 * What a phase cost: CPU of the server, of the load client, and of everything else on the machine
 * (machine busy time minus server, client and this process: the noise indicator), plus the server's
 * write syscalls and bytes (how many socket writes it takes to send the same frames).
 */
export function meter(server: number, client: number): () => Usage {
  const read = () => ({ server: cpuSeconds(server), client: cpuSeconds(client), self: process.cpuUsage(), machine: machineBusySeconds(), io: writes(server) })
  const start = read()
  return () => {
    const end = read()
    const serverCpu = end.server - start.server
    const clientCpu = end.client - start.client
    const usage = process.cpuUsage(start.self)
    const self = (usage.user + usage.system) / 1e6
    return {
      server: serverCpu,
      client: clientCpu,
      other: Math.max(0, end.machine - start.machine - serverCpu - clientCpu - self),
      writeSyscalls: end.io.syscalls - start.io.syscalls,
      writtenMB: (end.io.bytes - start.io.bytes) / MB,
    }
  }
}
