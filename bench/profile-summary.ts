/**
 * Where a server's CPU or memory went, from the profiles `npm run bench -- --cpu-prof` / `--heap-prof`
 * write (V8's .cpuprofile and sampling .heapprofile formats): self time, or bytes allocated, per
 * function and per source file, largest first.
 *
 *   node bench/profile-summary.ts bench/results/profiles/nuxt-counting-1000-run1.cpuprofile [top]
 */
import { readFileSync } from 'node:fs'

interface CallFrame { functionName: string, url: string, lineNumber: number }
interface CpuProfile { nodes: Array<{ id: number, callFrame: CallFrame }>, samples: number[], timeDeltas: number[] }
interface HeapNode { callFrame: CallFrame, selfSize: number, children: HeapNode[] }
interface HeapProfile { head: HeapNode }
export type Profile = CpuProfile | HeapProfile
export interface Share { name: string, amount: number, percent: number }
export interface Summary { unit: 'ms' | 'KB', total: number, byFunction: Share[], byFile: Share[] }

/** Short, stable names: the bench's temp dir and file:// prefixes say nothing. */
function fileOf(url: string): string {
  if (!url) return '(native/VM)'
  return url.replace(/^file:\/\//, '').replace(/^.*?\/\.output\/server\//, '.output/server/')
}

/** (cost, frame) pairs: self time of each CPU sample, or self size of each heap allocation site. */
function costs(profile: Profile): Array<[number, CallFrame]> {
  if ('head' in profile) {
    const out: Array<[number, CallFrame]> = []
    const walk = (node: HeapNode) => {
      out.push([node.selfSize / 1024, node.callFrame])
      node.children.forEach(walk)
    }
    walk(profile.head)
    return out
  }
  const frames = new Map(profile.nodes.map(node => [node.id, node.callFrame]))
  // timeDeltas[i] is the time before sample i; it is charged to the node sampled at i.
  return profile.samples.map((id, i) => [(profile.timeDeltas[i] ?? 0) / 1000, frames.get(id)!])
}

export function summarize(profile: Profile, top = 15): Summary {
  const byFunction = new Map<string, number>()
  const byFile = new Map<string, number>()
  let total = 0
  for (const [amount, { functionName, url, lineNumber }] of costs(profile)) {
    // Time the process sat waiting is not cost.
    if (functionName === '(idle)' || functionName === '(program)') continue
    total += amount
    const file = fileOf(url)
    const name = `${functionName || '(anonymous)'} ${url ? `${file}:${lineNumber + 1}` : ''}`.trim()
    byFunction.set(name, (byFunction.get(name) ?? 0) + amount)
    byFile.set(file, (byFile.get(file) ?? 0) + amount)
  }
  const rank = (map: Map<string, number>) => [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, amount]) => ({ name, amount, percent: amount / total * 100 }))
  return { unit: 'head' in profile ? 'KB' : 'ms', total, byFunction: rank(byFunction), byFile: rank(byFile) }
}

export function formatSummary(title: string, summary: Summary): string {
  const what = summary.unit === 'ms' ? 'on CPU (idle excluded)' : 'allocated (sampled, collected included)'
  const lines = (shares: Share[]) => shares.map(s => `  ${s.amount.toFixed(0).padStart(8)} ${summary.unit} ${s.percent.toFixed(1).padStart(5)}%  ${s.name}`).join('\n')
  return `${title}: ${summary.total.toFixed(0)} ${summary.unit} ${what}\n by file:\n${lines(summary.byFile)}\n by function (self):\n${lines(summary.byFunction)}`
}

if (import.meta.main) {
  const [file, top] = process.argv.slice(2)
  if (!file) {
    console.error('usage: node bench/profile-summary.ts <file.cpuprofile|file.heapprofile> [top]')
    process.exit(1)
  }
  console.log(formatSummary(file, summarize(JSON.parse(readFileSync(file, 'utf8')) as Profile, Number(top ?? 15))))
}
