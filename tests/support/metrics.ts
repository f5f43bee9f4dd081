import { fetch } from '@nuxt/test-utils/e2e'
import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format'
import { TOKEN } from './server'

/** One scrape of GET /api/notify/metrics, parsed by a Prometheus text-format parser. */
export async function scrape(token = TOKEN): Promise<Scrape> {
  const response = await fetch('/api/notify/metrics', { headers: { authorization: `Bearer ${token}` } })
  if (response.status !== 200) throw new Error(`metrics answered ${response.status}: ${await response.text()}`)
  return new Scrape(parsePrometheusTextFormat(await response.text()))
}

export class Scrape {
  constructor(readonly families: PrometheusFamily[]) {}

  family(name: string): PrometheusFamily {
    const family = this.families.find(f => f.name === name)
    if (!family) throw new Error(`no metric ${name} in the scrape`)
    return family
  }

  /** The value of the sample of `name` whose labels include `labels` (0 when the series is absent). */
  value(name: string, labels: Record<string, string> = {}): number {
    const sample = this.family(name).metrics.find(m => Object.entries(labels).every(([key, value]) => m.labels?.[key] === value))
    return sample ? Number(sample.value ?? sample.count) : 0
  }

  /** Every label value of every sample: what must never carry a topic name, user or token. */
  labelValues(): string[] {
    return this.families.flatMap(family => family.metrics.flatMap(sample => Object.values(sample.labels ?? {})))
  }
}
