import type { DatabaseLocation } from './database-url'
import { type NotifyStore, openStore } from './store'

const RETRY_MS = 2000

/** Thrown to callers while the store isn't open (yet): the routes answer 503 with Retry-After. */
export class StoreUnavailable extends Error {
  override name = 'StoreUnavailable'
}

export interface StoreOpenerOptions {
  /** Log lines (never a password: the location is described without it). */
  log?: (line: string) => void
  retryMs?: number
}

/**
 * Opens the store at start and keeps trying while the database can't be reached (PostgreSQL still
 * starting, a failover): the server serves everything else meanwhile, and the store is there as
 * soon as the database is. One opener per process (server/utils/store.ts).
 */
export class StoreOpener {
  private store: NotifyStore | undefined
  private opening: Promise<NotifyStore> | undefined
  private timer: ReturnType<typeof setTimeout> | undefined
  private closed = false
  private lastError: unknown
  private readonly waiters = new Set<(store: NotifyStore) => void>()

  constructor(private readonly location: DatabaseLocation, private readonly options: StoreOpenerOptions = {}) {}

  /** Starts opening (once); later calls do nothing. */
  start(): void {
    if (this.opening || this.store || this.closed) return
    this.opening = openStore(this.location).then(
      (store) => {
        this.opening = undefined
        if (this.closed) {
          void store.close()
          return store
        }
        this.store = store
        const { applied, version } = store.migration
        this.options.log?.(`[notify] Store: ${store.description}, schema version ${version}${applied.length ? ` (migrated: ${applied.join(', ')})` : ''}.`)
        for (const resolve of this.waiters) resolve(store)
        this.waiters.clear()
        return store
      },
      (error: unknown) => {
        this.opening = undefined
        this.lastError = error
        this.options.log?.(`[notify] Store unavailable, retrying in ${this.options.retryMs ?? RETRY_MS} ms: ${(error as Error)?.message ?? error}`)
        if (!this.closed) {
          this.timer = setTimeout(() => this.start(), this.options.retryMs ?? RETRY_MS)
          this.timer.unref?.()
        }
        throw error
      },
    )
    this.opening.catch(() => {})
  }

  /** The open store, or undefined while it is being opened or can't be. */
  get current(): NotifyStore | undefined {
    return this.store
  }

  /** The open store; waits up to `waitMs` for it, then throws StoreUnavailable. */
  async get(waitMs = 0): Promise<NotifyStore> {
    if (this.store) return this.store
    if (this.closed) throw new StoreUnavailable('the store is closed')
    this.start()
    if (waitMs > 0) {
      let resolve!: (store: NotifyStore) => void
      const ready = new Promise<NotifyStore>(r => (resolve = r))
      this.waiters.add(resolve)
      let timer: NodeJS.Timeout | number | undefined
      try {
        const store = await Promise.race([ready, new Promise<undefined>((r) => {
          timer = setTimeout(r, waitMs)
        })])
        if (store) return store
      }
      finally {
        clearTimeout(timer)
        this.waiters.delete(resolve)
      }
    }
    throw new StoreUnavailable(`the store is not open${this.lastError ? `: ${(this.lastError as Error).message ?? this.lastError}` : ''}`)
  }

  async close(): Promise<void> {
    this.closed = true
    clearTimeout(this.timer)
    const store = this.store
    this.store = undefined
    await store?.close()
  }
}
