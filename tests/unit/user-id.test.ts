import { describe, expect, it } from 'vitest'
import { NAME_PATTERN, USER_ID_PATTERN, isUserName, userIdOf, userTopic } from '../../shared/utils/notify'

describe('the user id a display name becomes', () => {
  it('takes any display name, Chinese and spaced ones included, and makes a topic-safe id of it', () => {
    for (const name of ['王小明', 'Mary Jane', 'José', 'O\'Brien', 'user@example.com', '😀', 'a'.repeat(64), '李 雷 & 韩梅梅', '_', '-.']) {
      expect(isUserName(name), name).toBe(true)
      const id = userIdOf(name)
      expect(id, name).toMatch(USER_ID_PATTERN)
      expect(userTopic(id), name).toMatch(NAME_PATTERN)
    }
  })

  it('is stable: the same name, whatever its case or spacing, is the same user; an id-like name is that id', () => {
    expect(userIdOf('alice')).toBe('alice')
    expect(userIdOf('  Alice ')).toBe('alice')
    expect(userIdOf('Mary Jane')).toBe('mary-jane')
    expect(userIdOf('MARY   JANE')).toBe('mary-jane')
    expect(userIdOf('王小明')).toBe(userIdOf(' 王小明 '))
    // NFC and NFD spellings of é are one name.
    expect(userIdOf('Jos\u00e9')).toBe(userIdOf('Jose\u0301'))
    expect(userIdOf('José')).toMatch(/^jose\.[0-9a-z]+$/)
    expect(userIdOf('王小明')).toMatch(/^u\.[0-9a-z]+$/)
    // The same on every run and machine: the pages address a user by the id the server gave them.
    expect(userIdOf('王小明')).toBe('u.10820maz5sc')
  })

  it('tells distinct names apart', () => {
    const names = ['王小明', '王小红', '王大明', '明小王', 'José', 'Jose\u0301 ', 'Jösé', 'Zoë', 'Zoe\u0308']
    const ids = new Set(names.map(userIdOf))
    // `José` twice (NFC, NFD) and `Zoë` twice: 7 people.
    expect(ids.size).toBe(7)
  })

  it('refuses only what is not a name: empty, too long, control characters', () => {
    for (const name of ['', '   ', 'a'.repeat(65), 'line\nbreak', 'tab\there', 'nul\u0000']) expect(isUserName(name), JSON.stringify(name)).toBe(false)
    // 64 characters, not 64 UTF-16 units: a name of emoji is counted as a person reads it.
    expect(isUserName('😀'.repeat(64))).toBe(true)
  })
})
