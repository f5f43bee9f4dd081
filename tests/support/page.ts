import { mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { within } from './deadline'

/** Console errors and uncaught exceptions of a page, collected as they happen. */
export function pageProblems(page: Page): string[] {
  const problems: string[] = []
  page.on('console', message => message.type() === 'error' && problems.push(message.text()))
  page.on('pageerror', error => problems.push(error.message))
  return problems
}

/**
 * Closes a tab as a person does (its pagehide/unload run: Playwright's default skips them) and
 * resolves once the browser has torn it down: `closingAt` when the close was asked for, `goneAt`
 * when the tab was gone. A hand-off is timed from `goneAt`: Chromium runs a closing tab's pagehide,
 * where the app hands its stream over, only just before it tears the tab down (measured: 501 and
 * 506 ms after the close), and how long a loaded machine takes to get there is the browser's time.
 */
export async function closeLikeAPerson(page: Page): Promise<{ closingAt: number, goneAt: number }> {
  const gone = new Promise<number>(resolve => page.once('close', () => resolve(Date.now())))
  const closingAt = Date.now()
  await page.close({ runBeforeUnload: true })
  return { closingAt, goneAt: await within(gone, 10_000, 'the closed tab to be torn down') }
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
