/**
 * Group commit: writes that arrive while a batch is being committed wait and go together in the
 * next one, so N concurrent publishes cost one transaction (and one fsync) instead of N. Each batch
 * starts after one turn of the event loop (setImmediate, no timer): SQLite commits synchronously,
 * so without that turn the requests that arrived meanwhile would never get into it, and every
 * publish would pay its own fsync (measured: 140/s against 1,200/s for a non-stored topic).
 * Under load one turn is not enough: the publishers whose answers the last commit sent come back
 * over several turns, so the batch waits more turns while each brings more writes (at most
 * GATHER_MS); when a turn brings none, it goes (a lone publish waits one more turn: microseconds).
 * Measured with `npm run bench -- --scenarios stored-publish` (64 publishers, bench/README.md): 22
 * rows per commit before, 50 after on SQLite (the commit's share of the time 0.32 -> 0.21 with the
 * single-statement insert of notification-log.ts), 33 -> 43 on PostgreSQL.
 */
const GATHER_MS = 2

export class GroupCommit<T, R = void> {
  private queued: Array<{ item: T, resolve: (result: R) => void, reject: (error: unknown) => void }> = []
  private flushing = false

  /** `commit` writes the items in one transaction and returns each one's result, in their order. */
  constructor(private readonly commit: (items: T[]) => Promise<R[]>, private readonly maxBatch = 1000) {}

  /** Resolves once `item` is committed, with its result; rejects with the batch's error (then nothing of it was). */
  write(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.queued.push({ item, resolve, reject })
      if (!this.flushing) void this.flush()
    })
  }

  get pending(): number {
    return this.queued.length
  }

  private async flush(): Promise<void> {
    this.flushing = true
    try {
      while (this.queued.length) {
        await new Promise(resolve => setImmediate(resolve))
        const until = performance.now() + GATHER_MS
        for (let seen = 0; this.queued.length > seen && this.queued.length < this.maxBatch && performance.now() < until;) {
          seen = this.queued.length
          await new Promise(resolve => setImmediate(resolve))
        }
        const batch = this.queued.splice(0, this.maxBatch)
        try {
          const results = await this.commit(batch.map(entry => entry.item))
          batch.forEach((entry, index) => entry.resolve(results[index]!))
        }
        catch (error) {
          for (const entry of batch) entry.reject(error)
        }
      }
    }
    finally {
      this.flushing = false
    }
  }
}
