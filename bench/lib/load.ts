/**
 * The load client (load-client.ts) forked as its own process, so parsing thousands of streams never
 * shares an event loop with the orchestrator or a server; asked over IPC, one reply per command.
 */
import { fork } from 'node:child_process'
import { join } from 'node:path'
import type { Command, Reply } from '../load-client.ts'
import { warmUp } from './http.ts'
import type { TargetName } from './options.ts'
import { sleep, track } from './processes.ts'
import type { Server } from './servers.ts'
import { BENCH_DIR, startServer, stopServer } from './servers.ts'

export interface LoadClient {
  pid: number
  /** Sends `command`; resolves with the reply of type `expect`, rejects on another reply or after `timeoutMs`. */
  ask: <T extends Reply['type']>(command: Command, expect: T, timeoutMs: number) => Promise<Extract<Reply, { type: T }>>
  stop: () => void
}

export function startLoadClient(): LoadClient {
  const child = track(fork(join(BENCH_DIR, 'load-client.ts'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }))
  const ask = <T extends Reply['type']>(command: Command, expect: T, timeoutMs: number) =>
    new Promise<Extract<Reply, { type: T }>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`load client: no answer to ${command.type} in ${timeoutMs} ms`)), timeoutMs)
      child.once('message', (reply: Reply) => {
        clearTimeout(timer)
        if (reply.type === expect) resolve(reply as Extract<Reply, { type: T }>)
        else reject(new Error(`load client: ${reply.type === 'error' ? reply.message : `unexpected ${reply.type}`}`))
      })
      child.send(command)
    })
  return { pid: child.pid!, ask, stop: () => child.kill('SIGKILL') }
}

/** A fresh, warmed-up server and load client for one measurement; both are gone when it returns or throws. */
export async function withServer<T>(name: TargetName, measure: (server: Server, client: LoadClient) => Promise<T>, env?: Record<string, string>): Promise<T> {
  const server = await startServer(name, env)
  const client = startLoadClient()
  try {
    await warmUp(server.port)
    // Let start-up work (JIT, first GCs) settle before anything is measured.
    await sleep(500)
    return await measure(server, client)
  }
  finally {
    client.stop()
    await stopServer(server)
  }
}
