/**
 * The store's counts, read by the Prometheus registry on scrape (server/lib/metrics): plain numbers,
 * no labels at all (a topic or a user never becomes one).
 */
const counts = {
  /** Rows committed (stored topics' events). */
  writes: 0,
  /** Batches committed, and their total time: the mean write latency. */
  batches: 0,
  batchSeconds: 0,
  /** Statements (a batch, a read, a sweep) that failed. */
  errors: 0,
  /** Rows the retention sweeper deleted. */
  swept: 0,
  /** The inbox's writes (a PATCH, a read-all, a seen), the items whose state they changed, and their time. */
  inboxWrites: 0,
  inboxItems: 0,
  inboxSeconds: 0,
}

export type StoreCounts = Readonly<typeof counts>

export function readStoreCounts(): StoreCounts {
  return counts
}

export function countStoreBatch(rows: number, seconds: number): void {
  counts.writes += rows
  counts.batches++
  counts.batchSeconds += seconds
}

export function countStoreError(): void {
  counts.errors++
}

export function countSwept(rows: number): void {
  counts.swept += rows
}

export function countInboxWrite(items: number, seconds: number): void {
  counts.inboxWrites++
  counts.inboxItems += items
  counts.inboxSeconds += seconds
}
