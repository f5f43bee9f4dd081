import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

// What TypeScript checked when the messages were a typed table: both languages have every key, with
// the same {placeholders}, and every key the components ask for exists.
const root = new URL('../../', import.meta.url)
const load = (code: string) => JSON.parse(readFileSync(new URL(`assets/i18n/locales/${code}.json`, root), 'utf8'))

/** `{ a: { b: 'x' } }` -> `{ 'a.b': 'x' }`: the keys as `t()` names them. */
function flatten(messages: Record<string, unknown>, prefix = ''): Record<string, string> {
  return Object.fromEntries(Object.entries(messages).flatMap(([key, value]) => typeof value === 'string'
    ? [[prefix + key, value]]
    : Object.entries(flatten(value as Record<string, unknown>, `${prefix}${key}.`))))
}

const zh = flatten(load('zh'))
const en = flatten(load('en'))
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map(match => match[1]).sort()

/** Literal keys in `t('...')` calls of the app's pages, components and composables (folders too). */
function usedKeys(): string[] {
  const files = ['pages', 'components', 'composables']
    .flatMap(dir => readdirSync(new URL(dir, root), { recursive: true, encoding: 'utf8' }).map(name => new URL(`${dir}/${name}`, root)))
    .filter(file => /\.(vue|ts)$/.test(file.pathname))
  return files.flatMap(file => [...readFileSync(file, 'utf8').matchAll(/\bt\('([\w.-]+)'/g)].map(match => match[1]!))
}

describe('UI messages', () => {
  it('zh and en have the same keys, each with the same placeholders', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort())
    for (const key of Object.keys(zh)) expect(placeholders(en[key]!), key).toEqual(placeholders(zh[key]!))
  })

  it('has every key the pages and components name', () => {
    const keys = usedKeys()
    expect(keys.length).toBeGreaterThan(20)
    expect(keys.filter(key => !(key in zh))).toEqual([])
  })
})

describe('Chinese messages', () => {
  it('use full-width punctuation: no ASCII , ; ( ) ! ? or ... and no ASCII colon beside Chinese text', () => {
    // A colon between ASCII letters stays: it is part of a topic name (`user:<你的 id>`, `admin:stats`).
    const ascii = Object.entries(zh).filter(([, text]) => /[,;()!?]|\.\.\.|(?<![\w]):|:(?![\w<])/.test(text))
    expect(ascii.map(([key, text]) => `${key}: ${text}`)).toEqual([])
  })
})
