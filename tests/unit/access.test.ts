import { describe, expect, it } from 'vitest'
import { matchesAny, matchesPattern, parsePatternList } from '../../server/lib/access/topic-patterns'
import { TokenRefused, mintToken, verifyToken } from '../../server/lib/access/tokens'
import { JWT_SECRET, refusedTokens, subscriberToken } from '../support/tokens'

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
