import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { REFUSALS, REFUSAL_CODES, isRefusalCode, refusalCodeOfStatus } from '../../shared/utils/refusals'

const root = new URL('../../', import.meta.url)
const read = (path: string) => readFileSync(new URL(path, root), 'utf8')
const messages = (code: string) => JSON.parse(read(`assets/i18n/locales/${code}.json`)).refusal as Record<string, Record<string, string>>

/** `refusal.<code>` of one language, as `t()` reads it (`token.missing` is `refusal.token.missing`). */
function translation(language: string, code: string): string | undefined {
  const [group, name] = code.split('.')
  return messages(language)[group!]?.[name!]
}

describe('refusal codes', () => {
  it('every code has a translation in zh and in en, and no translation is of a code that does not exist', () => {
    expect(REFUSAL_CODES.length).toBeGreaterThan(30)
    for (const code of REFUSAL_CODES) {
      // One dot: the group and the name, so the nested messages never make a code a prefix of another.
      expect(code, code).toMatch(/^[a-z-]+\.[a-z-]+$/)
      expect(translation('zh', code), `zh ${code}`).toMatch(/\p{Script=Han}/u)
      expect(translation('en', code), `en ${code}`).toMatch(/^[A-Z].*\.$/)
    }
    for (const language of ['zh', 'en']) {
      const translated = Object.entries(messages(language)).flatMap(([group, names]) => Object.keys(names).map(name => `${group}.${name}`))
      expect(translated.filter(code => !isRefusalCode(code)), language).toEqual([])
    }
  })

  it('every code is documented in docs/api.md with its status', () => {
    const docs = read('docs/api.md')
    for (const code of REFUSAL_CODES) expect(docs, code).toContain(`| \`${code}\` | ${REFUSALS[code]} |`)
  })

  it('a status without a code gets one of the same status', () => {
    for (const status of [400, 401, 403, 404, 405, 413, 415, 418, 429, 500, 502, 503]) {
      const code = refusalCodeOfStatus(status)
      expect(isRefusalCode(code)).toBe(true)
      // The generic 4xx and 5xx codes stand for their class.
      expect(Math.floor(REFUSALS[code] / 100), `${status} -> ${code}`).toBe(Math.floor(status / 100))
    }
  })
})
