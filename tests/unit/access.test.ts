import { afterEach, describe, expect, it, vi } from 'vitest'
import { matchesAny, matchesPattern, parsePatternList } from '../../server/lib/access/topic-patterns'
import { TokenRefused, mintToken, verifyToken } from '../../server/lib/access/tokens'
import { VerifiedTokenCache } from '../../server/lib/access/verified-token-cache'
import { JWT_SECRET, refusedTokens, subscriberToken, tamperedSignature } from '../support/tokens'

const key = new TextEncoder().encode(JWT_SECRET)

describe('topic patterns', () => {
  it('match exact names, or prefixes ending in *; * anywhere else is plain text', () => {
    expect(matchesPattern('user:alice', 'user:*')).toBe(true)
    expect(matchesPattern('user:', 'user:*')).toBe(true)
    expect(matchesPattern('users', 'user:*')).toBe(false)
    expect(matchesPattern('secret', 'secret')).toBe(true)
    expect(matchesPattern('secretive', 'secret')).toBe(false)
    expect(matchesPattern('anything', '*')).toBe(true)
    expect(matchesAny('team:red', ['user:*', 'team:*'])).toBe(true)
    expect(matchesAny('team', ['user:*', 'team:*'])).toBe(false)
  })

  it('read NUXT_NOTIFY_PRIVATE_TOPICS, and refuse a typo rather than make a topic public', () => {
    expect(parsePatternList(' user:* , secret,,')).toEqual(['user:*', 'secret'])
    expect(parsePatternList('')).toEqual([])
    for (const bad of ['us*er:', 'a b', 'user:**', 'x\ny']) expect(() => parsePatternList(bad)).toThrow(/not a topic name/)
  })
})

describe('tokens', () => {
  it('round-trip what this server mints, with exp always set', async () => {
    const { token, exp } = await mintToken({ sub: 'alice', notify: { subscribe: ['user:alice'] }, ttlSeconds: 60 }, key)
    expect(await verifyToken(token, key)).toEqual({ sub: 'alice', exp, subscribe: ['user:alice'], publish: [] })
    expect(await verifyToken(await subscriberToken(['user:*']), key)).toMatchObject({ subscribe: ['user:*'] })
  })

  it('refuse every hostile kind with a reason, never the token', async () => {
    for (const [name, token] of await refusedTokens(['user:alice'])) {
      const refusal = await verifyToken(token, key).then(() => undefined, (error: unknown) => error)
      expect(refusal, name).toBeInstanceOf(TokenRefused)
      expect((refusal as Error).message, name).not.toContain(token.slice(0, 20))
    }
  })
})

describe('verified-token cache', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('answers a reconnect with the same token from the cache (the same frozen result)', async () => {
    const token = await subscriberToken(['user:cached'])
    const first = await verifyToken(token, key)
    expect(await verifyToken(token, key)).toBe(first)
    expect(Object.isFrozen(first) && Object.isFrozen(first.subscribe)).toBe(true)
  })

  it('never serves a token past its exp: the next connect is verified again, and refused', async () => {
    const token = await subscriberToken(['user:soon'], { expiresIn: 2 })
    expect(await verifyToken(token, key)).toMatchObject({ subscribe: ['user:soon'] })
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 3000 })
    await expect(verifyToken(token, key)).rejects.toMatchObject({ code: 'token.expired', message: 'The token has expired.' })
  })

  it('never serves a token verified under one key for another key, nor its look-alikes', async () => {
    const token = await subscriberToken(['user:alice'])
    await verifyToken(token, key)
    const otherKey = new TextEncoder().encode('another-secret-that-is-long-enough-0123')
    await expect(verifyToken(token, otherKey)).rejects.toMatchObject({ code: 'token.invalid', message: 'The token\'s signature is not valid.' })
    await expect(verifyToken(tamperedSignature(token), key)).rejects.toBeInstanceOf(TokenRefused)
    const forged = await subscriberToken(['user:alice'], { secret: 'another-secret-that-is-long-enough-0123' })
    await expect(verifyToken(forged, key)).rejects.toMatchObject({ code: 'token.invalid', message: 'The token\'s signature is not valid.' })
    // A refusal is not remembered either way: the good token still passes, the bad one still fails.
    expect(await verifyToken(token, key)).toMatchObject({ subscribe: ['user:alice'] })
    await expect(verifyToken(forged, key)).rejects.toBeInstanceOf(TokenRefused)
  })

  it('keeps at most maxEntries, dropping the least recently used, and drops an entry at its exp', () => {
    const cache = new VerifiedTokenCache<{ exp: number }>(2)
    cache.set('a', { exp: 100 })
    cache.set('b', { exp: 100 })
    expect(cache.get('a', 50)).toEqual({ exp: 100 }) // a is now the most recent
    cache.set('c', { exp: 100 })
    expect([cache.get('a', 50), cache.get('b', 50), cache.get('c', 50)]).toEqual([{ exp: 100 }, undefined, { exp: 100 }])
    expect(cache.get('a', 100)).toBeUndefined()
    expect(cache.size).toBe(1)
  })
})
