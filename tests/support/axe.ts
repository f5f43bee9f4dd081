import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'
import type { AxeResults } from 'axe-core'

/** axe-core from node_modules, injected into the page under test (no CDN, no network). */
const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js')

/** The WCAG 2.0/2.1 A and AA rules: what the issue asks the pages to meet. */
const WCAG_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']

export interface AxeViolation {
  id: string
  impact: string
  help: string
  /** Selectors of the elements, with axe's summary of what is wrong for the first few. */
  nodes: string[]
}

/**
 * The serious and critical WCAG 2 A/AA violations axe-core finds on the page as it is now (scan
 * again after a theme or a state change): each with where, so a failure message says what to fix.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) {
    await page.addScriptTag({ path: AXE_SCRIPT })
    // Colours measured at rest: a transition half-way (a theme switch, a hovered button) is not what a reader sees.
    await page.addStyleTag({ content: '*, *::before, *::after { transition: none !important; animation: none !important; }' })
  }
  const results = await page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<AxeResults> } }).axe
    return axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
  }, WCAG_AA)
  return results.violations
    .filter(violation => violation.impact === 'serious' || violation.impact === 'critical')
    .map(violation => ({
      id: violation.id,
      impact: violation.impact!,
      help: violation.help,
      nodes: violation.nodes.slice(0, 5).map(node => `${node.target.join(' ')}: ${node.failureSummary?.replace(/\s+/g, ' ') ?? ''}`),
    }))
}
