/**
 * The report: per scenario a table of medians over the repeats, one column per series (baseline,
 * better-sse, nuxt, nuxt+token), the ratio of each series to the baseline's median, and for the
 * issue's targets a verdict with the per-repeat ratios beside it (they show the noise).
 */

/** What every scenario's result carries: which series (server, variant) and which repeat. */
export interface Base { target: string, run: number }

export type Row = string[]
export interface TargetCheck { name: string, measured: string, perRun: string, pass: boolean }

export const fixed = (value: number | undefined, digits = 1) => value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits)
export const median = (values: number[]) => {
  const sorted = values.toSorted((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
const verdict = (pass: boolean | undefined) => pass === undefined ? '' : pass ? 'PASS' : 'MISS'

/** The sum of one number over every repeat's results. */
export function sum<R>(results: R[], pick: (result: R) => number): number {
  return results.reduce((total, result) => total + pick(result), 0)
}

/** A judged ratio: nuxt's median over the baseline's at most (`max`) or at least (`min`) this. */
export type Limit = { max: number } | { min: number }

export interface Table<R extends Base> {
  title: string
  head: Row
  rows: Row[]
  /** One metric: the median of each series; with `limit` the judged series' ratio is checked. */
  metric: (name: string, pick: (r: R) => number, digits: number, limit?: Limit) => void
  /** A judged absolute bound on the judged series' median (e.g. RSS growth <= 10 %). */
  absolute: (name: string, pick: (r: R) => number, digits: number, max: number, shown: string) => void
  /** A row that must hold in every repeat of the judged series (nothing lost, no leak); shows the whole. */
  every: (name: string, show: (rs: R[]) => string, ok: ((r: R) => boolean) | undefined, target: string) => void
  /** A free-form comparison check (e.g. below better-sse's). */
  check: (name: string, measured: string, perRun: string, pass: boolean) => void
}

/**
 * A table for one scenario's results; `label` prefixes its checks. `judged` names the series the targets apply to (nuxt, or
 * nuxt+token), or none to only show numbers; ratios are to `reference` (the bare baseline server, or
 * for the stored publishes the same Nuxt server publishing to a non-stored topic).
 */
export function table<R extends Base>(title: string, label: string, results: R[], checks: TargetCheck[], judged?: string, reference = 'baseline'): Table<R> {
  const series = ['baseline', 'better-sse', 'nuxt', 'nuxt+token', 'nuxt+sqlite', 'nuxt+postgres'].filter(name => results.some(r => r.target === name))
  const of = (name: string) => results.filter(r => r.target === name).sort((a, b) => a.run - b.run)
  const base = of(reference)
  const others = series.filter(name => name !== reference)
  const head: Row = ['metric (median)', ...series, ...(base.length ? others.map(name => `${name}/${reference === 'baseline' ? 'base' : reference}`) : []), 'target', '']
  const rows: Row[] = []
  const judgedRuns = judged ? of(judged) : []
  const medianOf = (name: string, pick: (r: R) => number) => {
    const runs = of(name)
    return runs.length ? median(runs.map(pick)) : undefined
  }
  const ratios = (pick: (r: R) => number) => {
    const b = base.length ? median(base.map(pick)) : undefined
    return base.length ? others.map(name => medianOf(name, pick)).map(x => b && x !== undefined ? x / b : undefined) : []
  }
  const perRunRatios = (pick: (r: R) => number) => judgedRuns.map((r) => {
    const p = base.find(b => b.run === r.run)
    return p ? fixed(pick(r) / pick(p), 2) : '-'
  }).join(', ')

  return {
    title,
    head,
    rows,
    metric(name, pick, digits, limit) {
      const values = series.map(s => medianOf(s, pick))
      const ratioValues = ratios(pick)
      let target = ''
      let pass: boolean | undefined
      if (limit && judged && judgedRuns.length && base.length) {
        const ratio = ratioValues[others.indexOf(judged)]
        target = 'max' in limit ? `<= ${limit.max}x` : `>= ${limit.min}x`
        if (ratio !== undefined) {
          pass = 'max' in limit ? ratio <= limit.max : ratio >= limit.min
          checks.push({ name: `${label}: ${name} ${target} baseline`, measured: `${fixed(ratio, 2)}x`, perRun: perRunRatios(pick), pass })
        }
      }
      rows.push([name, ...values.map(v => fixed(v, digits)), ...ratioValues.map(v => fixed(v, 2)), target, verdict(pass)])
    },
    absolute(name, pick, digits, max, shown) {
      const values = series.map(s => medianOf(s, pick))
      const x = judged ? medianOf(judged, pick) : undefined
      const pass = x !== undefined ? x <= max : undefined
      if (pass !== undefined) checks.push({ name: `${label}: ${name} ${shown}`, measured: fixed(x, digits), perRun: judgedRuns.map(r => fixed(pick(r), digits)).join(', '), pass })
      rows.push([name, ...values.map(v => fixed(v, digits)), ...ratios(pick).map(v => fixed(v, 2)), shown, verdict(pass)])
    },
    every(name, show, ok, target) {
      const pass = ok && judgedRuns.length ? judgedRuns.every(ok) : undefined
      if (pass !== undefined) checks.push({ name: `${label}: ${name}`, measured: show(judgedRuns), perRun: judgedRuns.map(r => ok!(r) ? 'ok' : 'FAIL').join(', '), pass })
      rows.push([name, ...series.map(s => of(s).length ? show(of(s)) : '-'), ...(base.length ? others.map(() => '') : []), judged ? target : '', verdict(pass)])
    },
    check(name, measured, perRun, pass) {
      checks.push({ name: `${label}: ${name}`, measured, perRun, pass })
    },
  }
}

export function printTable({ title, head, rows }: { title: string, head: Row, rows: Row[] }): void {
  const widths = head.map((_, i) => Math.max(...[head, ...rows].map(row => (row[i] ?? '').length)))
  const line = (row: Row) => row.map((cell, i) => i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)).join('  ').trimEnd()
  console.log(`\n${title}\n${line(head)}\n${widths.map(w => '-'.repeat(w)).join('  ')}`)
  for (const row of rows) console.log(line(row))
}
