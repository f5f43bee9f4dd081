import { afterAll, describe, expect, it } from 'vitest'
import type { BroadcastPayload, PublishResult } from '#shared/types/notify'
import { startInstance } from './processes'
import { TOKEN } from './server'
import { eventually, json, openSse, type SseReader } from './sse'

/** Two instances on one Redis backend (`backendEnv`): A is stopped with SIGTERM under load, its clients move to B. */
export async function sigtermSuite(name: string, backendEnv: Record<string, string>) {
  const env = { ...backendEnv, NUXT_NOTIFY_PUBLISH_TOKEN: TOKEN, NUXT_NOTIFY_DEMO_PUBLISHER: 'false' }
  const [a, b] = await Promise.all([startInstance(env), startInstance(env)])
  afterAll(async () => {
    await Promise.all([a.stop(), b.stop()])
  })

  /** On A, which is shutting down, a publish may be refused (503 while draining, or no connection once it is gone). */
  async function publishToLeaving(data: number): Promise<PublishResult | undefined> {
    try {
      return await a.publish({ topic: 'drain', data })
    }
    catch {
      return undefined
    }
  }

  describe(`SIGTERM under load, on ${name}`, () => {
    it('ends every stream cleanly, exits 0, and loses no acknowledged publish', async () => {
      // Both on their bus (an earlier test of the file may have restarted Redis).
      for (const instance of [a, b]) await eventually(() => fetch(`${instance.url}/api/health`).then(response => response.json()), health => health.status === 'ok', 15_000)
      const clients = await Promise.all(Array.from({ length: 20 }, () => openSse(`${a.url}/api/notify/events?topic=drain`)))
      const counting = await openSse(`${a.url}/api/notify/stream?count=10000&interval=20`)
      await Promise.all(clients.map(client => client.until(s => s.retries.length === 1)))

      // Publishers keep going on both instances while A shuts down.
      const acknowledged: string[] = []
      let stop = false
      // B must answer every one of them; A may refuse once it drains.
      const publishers = [a, b].map(async (instance, which) => {
        for (let i = 0; !stop; i++) {
          const data = which * 100_000 + i
          const result = instance === a ? await publishToLeaving(data) : await b.publish({ topic: 'drain', data })
          if (result) acknowledged.push(result.id)
          await new Promise(resolve => setTimeout(resolve, 5))
        }
      })
      await new Promise(resolve => setTimeout(resolve, 300))
      const signalledAt = Date.now()
      a.child.kill('SIGTERM')
      const exitCode = await new Promise<number | null>(resolve => a.child.once('exit', code => resolve(code)))
      const shutdownMs = Date.now() - signalledAt

      // Every stream ended as a normal end of response, not a reset.
      await Promise.all([...clients, counting].map(client => client.ended))
      await new Promise(resolve => setTimeout(resolve, 200))
      stop = true
      await Promise.all(publishers)
      expect(exitCode).toBe(0)
      expect(shutdownMs).toBeLessThan(5000)

      // Each client resumes on B with its Last-Event-ID and, with what it had, has every acknowledged event.
      const lastIds = clients.map(client => client.events.at(-1)?.id ?? '0-0')
      const resumed: SseReader[] = await Promise.all(lastIds.map(id => openSse(`${b.url}/api/notify/events?topic=drain`, { 'last-event-id': id })))
      const expected = [...acknowledged].sort(compareIds)
      await eventually(async () => resumed.every((client, i) => idsOf(clients[i]!).length + idsOf(client).length >= expected.length), done => done, 10_000)
      for (const [i, client] of resumed.entries()) {
        const all = [...idsOf(clients[i]!), ...idsOf(client)]
        expect(all).toEqual(expected)
        expect(json<BroadcastPayload>(client.events.at(-1)!).topic).toBe('drain')
        client.close()
      }
      expect(counting.events.length).toBeGreaterThan(0)
    }, 60_000)
  })
}

const idsOf = (reader: SseReader) => reader.events.map(event => event.id!)
function compareIds(x: string, y: string) {
  const [xs, xq] = x.split('-').map(Number)
  const [ys, yq] = y.split('-').map(Number)
  return xs! - ys! || xq! - yq!
}
