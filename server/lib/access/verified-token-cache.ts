/**
 * Tokens that already passed verification, by their exact text, until their `exp`: a client that
 * reconnects with the same token (every EventSource reconnect does) costs one Map lookup instead of
 * an HMAC and a claims parse. Only successes are kept, so a refused token is checked again every
 * time; a token differing in any character (another signature, another claim) is another key, and
 * each signing key has its own cache, so nothing verified under one key answers for another.
 * Bounded: past `maxEntries` the least recently used entry goes.
 */
export class VerifiedTokenCache<T extends { exp: number }> {
  readonly #entries = new Map<string, T>()

  constructor(readonly maxEntries: number) {}

  /** The cached result, or undefined when absent or expired by now (`exp` in seconds, as jose checks it). */
  get(token: string, nowSeconds = Math.floor(Date.now() / 1000)): T | undefined {
    const hit = this.#entries.get(token)
    if (!hit) return undefined
    this.#entries.delete(token)
    if (nowSeconds >= hit.exp) return undefined
    this.#entries.set(token, hit) // most recently used last
    return hit
  }

  set(token: string, verified: T): void {
    this.#entries.delete(token)
    this.#entries.set(token, verified)
    if (this.#entries.size > this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!)
  }

  get size(): number {
    return this.#entries.size
  }
}
