import type { Page } from 'playwright-core'

/** Console errors and uncaught exceptions of a page, collected as they happen. */
export function pageProblems(page: Page): string[] {
  const problems: string[] = []
  page.on('console', message => message.type() === 'error' && problems.push(message.text()))
  page.on('pageerror', error => problems.push(error.message))
  return problems
}
