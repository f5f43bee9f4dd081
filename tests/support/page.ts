import { mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'

/** Console errors and uncaught exceptions of a page, collected as they happen. */
export function pageProblems(page: Page): string[] {
  const problems: string[] = []
  page.on('console', message => message.type() === 'error' && problems.push(message.text()))
  page.on('pageerror', error => problems.push(error.message))
  return problems
}

/** /live folds its raw event history: unfold it to read the lines. */
export async function unfoldRawHistory(page: Page): Promise<void> {
  const details = page.getByTestId('raw-history')
  if (!(await details.evaluate(element => (element as HTMLDetailsElement).open))) await details.locator('summary').click()
}

/**
 * Saves a full-page screenshot to look at (SCREENSHOT_DIR, default a temp folder; never the
 * repository) and returns its path.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = process.env.SCREENSHOT_DIR ?? join(tmpdir(), 'notify-screenshots')
  mkdirSync(dir, { recursive: true })
  const path = join(dir, `${name}.png`)
  await page.screenshot({ path, fullPage: true })
  return path
}

/** Whether the page fits its viewport's width (nothing to scroll sideways on a phone). */
export function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)
}
