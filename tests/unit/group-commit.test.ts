import { describe, expect, it } from 'vitest'
import { GroupCommit } from '../../server/lib/store/group-commit'

const turn = () => new Promise(resolve => setImmediate(resolve))

/** A GroupCommit whose commits record the items of each batch. */
function recording() {
  const batches: number[][] = []
  const writer = new GroupCommit<number, string>(async (items) => {
    batches.push(items)
    return items.map(item => `ok ${item}`)
  }, 10)
  return { batches, writer }
}

describe('GroupCommit', () => {
  it('takes writes that keep arriving turn after turn into one batch (publishers coming back after a commit)', async () => {
    const { batches, writer } = recording()
    const written: Array<Promise<string>> = []
    written.push(writer.write(0))
    for (let i = 1; i <= 4; i++) {
      await turn()
      written.push(writer.write(i))
    }
    expect(await Promise.all(written)).toEqual(['ok 0', 'ok 1', 'ok 2', 'ok 3', 'ok 4'])
    expect(batches).toEqual([[0, 1, 2, 3, 4]])
  })

  it('commits a lone write within a few turns, and never more than maxBatch at once', async () => {
    const { batches, writer } = recording()
    const lone = writer.write(1)
    let turns = 0
    let done = false
    void lone.then(() => (done = true))
    while (!done && turns < 10) {
      await turn()
      turns++
    }
    expect(done).toBe(true)
    expect(turns).toBeLessThanOrEqual(3)
    const many = Array.from({ length: 25 }, (_, i) => writer.write(i))
    await Promise.all(many)
    expect(batches.slice(1).map(batch => batch.length)).toEqual([10, 10, 5])
  })

  it('rejects every write of a failed batch with its error, and commits the next batch', async () => {
    let fail = true
    const writer = new GroupCommit<number>(async (items) => {
      if (fail) throw new Error('disk full')
      return items.map(() => undefined)
    })
    const failed = [writer.write(1), writer.write(2)]
    for (const write of failed) await expect(write).rejects.toThrow('disk full')
    fail = false
    await expect(writer.write(3)).resolves.toBeUndefined()
  })
})
