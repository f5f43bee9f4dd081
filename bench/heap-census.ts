/**
 * What one held connection keeps alive, by constructor: a heap snapshot of a server holding N
 * subscribers, minus one of the same server idle, divided by N. Finds the objects a connect leaves
 * in the heap for the life of the stream (the "live heap per connection" row of the bench).
 *
 *   npm run build && node bench/heap-census.ts [nuxt|baseline|better-sse] [N=2000] [top=40]
 */
import { startLoadClient } from './lib/load.ts'
import type { TargetName } from './lib/options.ts'
import { exitAfter, sleep } from './lib/processes.ts'
import { prepareServers, startServer, stopServer } from './lib/servers.ts'
import { warmUp } from './lib/http.ts'

interface Snapshot {
  snapshot: { meta: { node_fields: string[], node_types: [string[]], edge_fields: string[], edge_types: [string[]] } }
  nodes: number[]
  edges: number[]
  strings: string[]
}

/**
 * Count and self size of every group of nodes in a snapshot: type and name, and for the anonymous
 * kinds (arrays, contexts, closures, strings) also the name and edge of one node that holds them,
 * which usually says whose they are (`Object.errors`, `ServerResponse._events`, ...).
 */
function census(snapshot: Snapshot): Map<string, { count: number, size: number }> {
  const fields = snapshot.snapshot.meta.node_fields
  const types = snapshot.snapshot.meta.node_types[0]
  const edgeFields = snapshot.snapshot.meta.edge_fields
  const edgeTypes = snapshot.snapshot.meta.edge_types[0]
  const [typeAt, nameAt, sizeAt, edgeCountAt] = ['type', 'name', 'self_size', 'edge_count'].map(f => fields.indexOf(f))
  const [edgeTypeAt, edgeNameAt, edgeToAt] = ['type', 'name_or_index', 'to_node'].map(f => edgeFields.indexOf(f))
  const nameOf = (i: number) => {
    const type = types[snapshot.nodes[i + typeAt!]!]!
    return type === 'object' || type === 'closure' || type === 'native' ? snapshot.strings[snapshot.nodes[i + nameAt!]!]! : `(${type})`
  }
  // One holder per node: the first non-weak edge that points at it.
  const holder = new Map<number, string>()
  const holderNode = new Map<number, number>()
  let edge = 0
  for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
    for (let e = 0; e < snapshot.nodes[i + edgeCountAt!]!; e++, edge += edgeFields.length) {
      const edgeType = edgeTypes[snapshot.edges[edge + edgeTypeAt!]!]!
      if (edgeType === 'weak' || edgeType === 'shortcut') continue
      const to = snapshot.edges[edge + edgeToAt!]!
      if (holder.has(to)) continue
      const raw = snapshot.edges[edge + edgeNameAt!]!
      const label = edgeType === 'element' || edgeType === 'hidden' ? `[${edgeType}]` : snapshot.strings[raw]
      holder.set(to, `${nameOf(i).slice(0, 30)}.${label}`)
      holderNode.set(to, i)
    }
  }
  const groups = new Map<string, { count: number, size: number }>()
  for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
    const type = types[snapshot.nodes[i + typeAt!]!]!
    const name = nameOf(i)
    // Two levels for the anonymous kinds: whose properties, whose elements.
    const up = holderNode.get(i)
    const chain = type === 'array' || type === 'hidden' || name === 'Object' || name === 'Array' ? ` <- ${up === undefined ? '?' : holder.get(up) ?? '?'}` : ''
    const key = `${type}:${name.slice(0, 40)} <- ${holder.get(i) ?? '?'}${chain}`
    const group = groups.get(key) ?? { count: 0, size: 0 }
    group.count++
    group.size += snapshot.nodes[i + sizeAt!]!
    groups.set(key, group)
  }
  return groups
}

async function snapshot(url: string): Promise<Snapshot> {
  const chunks: string[] = []
  // Chunks arrive as HeapProfiler.addHeapSnapshotChunk notifications on the same socket.
  const ws = new WebSocket(url)
  await new Promise(resolve => ws.addEventListener('open', resolve))
  ws.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { method?: string, params?: { chunk: string } }
    if (message.method === 'HeapProfiler.addHeapSnapshotChunk') chunks.push(message.params!.chunk)
  })
  const done = new Promise<void>(resolve => ws.addEventListener('message', (event) => {
    if ((JSON.parse(String(event.data)) as { id?: number }).id === 1) resolve()
  }))
  ws.send(JSON.stringify({ id: 1, method: 'HeapProfiler.takeHeapSnapshot', params: { reportProgress: false } }))
  await done
  ws.close()
  return JSON.parse(chunks.join('')) as Snapshot
}

async function main() {
  exitAfter(10)
  const target = (process.argv[2] ?? 'nuxt') as TargetName
  const n = Number(process.argv[3] ?? 2000)
  const top = Number(process.argv[4] ?? 40)
  await prepareServers([target])
  const server = await startServer(target)
  // The bench's own session is closed first: a snapshot goes to one session of our own.
  server.inspector.close()
  const url = /ws:\/\/\S+/.exec(server.output.join('\n'))![0]
  const client = startLoadClient()
  try {
    await warmUp(server.port)
    await sleep(500)
    const idle = census(await snapshot(url))
    const subscribed = await client.ask({ type: 'subscribe', port: server.port, path: '/api/notify/events?topic=census', n, timeoutMs: 120_000 }, 'subscribed', 130_000)
    const held = census(await snapshot(url))
    const rows = [...held].map(([key, h]) => {
      const i = idle.get(key) ?? { count: 0, size: 0 }
      return { key, count: (h.count - i.count) / n, bytes: (h.size - i.size) / n }
    }).filter(r => Math.abs(r.bytes) >= 1).sort((a, b) => b.bytes - a.bytes)
    const total = rows.reduce((sum, r) => sum + r.bytes, 0)
    console.log(`${target}: ${subscribed.ready}/${n} held; per connection ${total.toFixed(0)} B of JS heap in snapshot (self sizes), by group:`)
    for (const r of rows.slice(0, top)) console.log(`${r.bytes.toFixed(0).padStart(7)} B  ${r.count.toFixed(2).padStart(6)} x  ${r.key}`)
  }
  finally {
    client.stop()
    server.child.kill('SIGKILL')
    void stopServer
  }
}

main().then(() => process.exit(0), (error: unknown) => {
  console.error(error)
  process.exit(1)
})
