/**
 * A minimal DevTools-protocol session on a server's `--inspect` port: memory read with or without a
 * forced full GC, and (with --cpu-prof / --heap-prof) V8's sampling profilers around one phase.
 * Neither server's code is changed for it.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Profile } from '../profile-summary.ts'
import { summarize } from '../profile-summary.ts'
import { options } from './options.ts'
import { MB, rssBytes } from './processes.ts'

export interface Inspector {
  send: <T = unknown>(method: string, params?: object) => Promise<T>
  close: () => void
}

const INSPECTOR_TIMEOUT_MS = 60_000

export function openInspector(url: string): Promise<Inspector> {
  const socket = new WebSocket(url)
  const pending = new Map<number, { resolve: (value: never) => void, reject: (error: Error) => void }>()
  let nextId = 1
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number, result?: unknown, error?: { message: string } }
    const waiter = message.id === undefined ? undefined : pending.get(message.id)
    if (!waiter) return
    pending.delete(message.id!)
    if (message.error) waiter.reject(new Error(message.error.message))
    else waiter.resolve(message.result as never)
  })
  socket.addEventListener('close', () => {
    for (const waiter of pending.values()) waiter.reject(new Error('inspector: the server closed the session'))
    pending.clear()
  })
  const send = <T>(method: string, params: object = {}) => new Promise<T>((resolve, reject) => {
    const id = nextId++
    const timer = setTimeout(() => {
      pending.delete(id)
      reject(new Error(`inspector: no answer to ${method} in ${INSPECTOR_TIMEOUT_MS} ms`))
    }, INSPECTOR_TIMEOUT_MS)
    pending.set(id, {
      resolve: (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      reject: (error) => {
        clearTimeout(timer)
        reject(error)
      },
    })
    socket.send(JSON.stringify({ id, method, params }))
  })
  return new Promise((resolve, reject) => {
    socket.addEventListener('open', () => resolve({ send, close: () => socket.close() }))
    socket.addEventListener('error', () => reject(new Error(`inspector: cannot connect to ${url}`)))
  })
}

export interface Memory { rssMB: number, heapUsedMB: number }

/**
 * RSS and V8's used heap, in MB. With `gc` a full collection first: the "live" figures. Without,
 * what the process holds as it is, garbage included: what a container's memory limit sees.
 */
export async function memory(server: { pid: number, inspector: Inspector }, gc: boolean): Promise<Memory> {
  if (gc) await server.inspector.send('HeapProfiler.collectGarbage')
  const { result } = await server.inspector.send<{ result: { value: string } }>('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true })
  const usage = JSON.parse(result.value) as { heapUsed: number }
  return { rssMB: rssBytes(server.pid) / MB, heapUsedMB: usage.heapUsed / MB }
}

export const PROFILE_DIR = join(import.meta.dirname, '..', 'results', 'profiles')
export const profiles: Array<{ name: string, file: string, summary: ReturnType<typeof summarize> }> = []

/**
 * With --cpu-prof, V8's sampling CPU profiler around one phase; with --heap-prof, its sampling heap
 * profiler, keeping what GC collected too (all that was allocated, not what survived). The profiles
 * go to bench/results/profiles/ (open them in Chrome DevTools, or node bench/profile-summary.ts).
 */
export async function profiled<T>(server: { inspector: Inspector }, name: string, phase: () => Promise<T>): Promise<T> {
  const { send } = server.inspector
  if (options.cpuProf) {
    await send('Profiler.enable')
    await send('Profiler.setSamplingInterval', { interval: 200 })
    await send('Profiler.start')
  }
  if (options.heapProf) await send('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true })
  const result = await phase()
  const save = (extension: string, profile: Profile) => {
    const file = join(PROFILE_DIR, `${name}.${extension}`)
    writeFileSync(file, JSON.stringify(profile))
    profiles.push({ name, file, summary: summarize(profile) })
  }
  if (options.cpuProf) save('cpuprofile', (await send<{ profile: Profile }>('Profiler.stop')).profile)
  if (options.heapProf) save('heapprofile', (await send<{ profile: Profile }>('HeapProfiler.stopSampling')).profile)
  return result
}
