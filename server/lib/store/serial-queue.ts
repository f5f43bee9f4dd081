/**
 * Runs tasks one at a time, in the order they were queued: one SQLite connection is shared by the
 * whole process, so a transaction's statements must not interleave with anyone else's.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve()

  run<T>(task: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(task)
    this.tail = result.catch(() => {})
    return result
  }
}
