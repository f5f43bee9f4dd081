import { isAbsolute, resolve } from 'node:path'

/** The default: SQLite in one file beside the app, nothing to run. */
export const DEFAULT_SQLITE_PATH = '.data/notify.sqlite'

export type DatabaseLocation
  = | { dialect: 'sqlite', path: string }
    | { dialect: 'postgresql', url: string }

/**
 * `NUXT_NOTIFY_DATABASE_URL`: empty = SQLite at .data/notify.sqlite, `file:PATH` = SQLite at PATH
 * (relative to the working directory; `file::memory:` for a throwaway one), `postgres://` or
 * `postgresql://` = PostgreSQL. Anything else is refused at start, never guessed.
 */
export function parseDatabaseUrl(text: string, cwd = process.cwd()): DatabaseLocation {
  const url = text.trim()
  if (!url) return { dialect: 'sqlite', path: resolve(cwd, DEFAULT_SQLITE_PATH) }
  if (/^postgres(?:ql)?:\/\//i.test(url)) return { dialect: 'postgresql', url }
  if (url.startsWith('file:')) {
    const path = decodeURIComponent(url.slice('file:'.length).replace(/^\/\/(?=\/)/, ''))
    if (!path) throw new Error('NUXT_NOTIFY_DATABASE_URL=file: needs a path (file:.data/notify.sqlite)')
    if (path === ':memory:') return { dialect: 'sqlite', path }
    return { dialect: 'sqlite', path: isAbsolute(path) ? path : resolve(cwd, path) }
  }
  throw new Error('NUXT_NOTIFY_DATABASE_URL must be empty (SQLite in .data/notify.sqlite), file:PATH or postgres://...')
}

/** Where the database is, for a log line: the PostgreSQL URL without its password. */
export function describeLocation(location: DatabaseLocation): string {
  if (location.dialect === 'sqlite') return `SQLite ${location.path}`
  try {
    const url = new URL(location.url)
    if (url.password) url.password = '***'
    return `PostgreSQL ${url.toString()}`
  }
  catch {
    return 'PostgreSQL'
  }
}
