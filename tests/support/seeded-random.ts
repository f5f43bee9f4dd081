/**
 * A small deterministic PRNG (mulberry32) for the fuzz tests: the seed comes from FUZZ_SEED when set, so a
 * failure can be replayed exactly (the test prints its seed in its names).
 */
export function seededRandom(defaultSeed: number) {
  const seed = Number(process.env.FUZZ_SEED ?? defaultSeed)
  let state = seed
  const next = () => {
    state = (state + 0x6D2B79F5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!
  return { seed, next, pick }
}
