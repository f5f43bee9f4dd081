import { describe, expect, it } from 'vitest'
import { SLOTS, slotOf, tagOfSlot, tickChannel, topicKeys, topicOfChannel } from '../../server/lib/broadcast/topic-keys'

describe('topic keys', () => {
  it('hashes like Redis Cluster (CLUSTER KEYSLOT values from the Redis docs and redis-cli)', () => {
    expect(slotOf('123456789')).toBe(12739)
    expect(slotOf('foo')).toBe(12182)
    expect(slotOf('{user1000}.following')).toBe(slotOf('user1000'))
    // An empty tag does not count: the whole key is hashed.
    expect(slotOf('foo{}bar')).not.toBe(slotOf(''))
  })

  it('puts every name of a topic in one slot, and the slot clock with them', () => {
    const keys = topicKeys('notify', 'user:42')
    expect(keys.stream).toBe('notify:{user:42}')
    expect(slotOf(keys.clock)).toBe(keys.slot)
    expect(slotOf(keys.channel)).toBe(keys.slot)
    expect(topicOfChannel('notify', keys.channel)).toBe('user:42')
    expect(topicOfChannel('notify', tickChannel('notify', keys.slot, 'abc'))).toBeUndefined()
  })

  it('has a tag for every slot', () => {
    for (const slot of [0, 1, 5000, SLOTS - 1]) expect(slotOf(`x{${tagOfSlot(slot)}}`)).toBe(slot)
    expect(slotOf(tickChannel('notify', 777, 'instance'))).toBe(777)
  })
})
