import { describe, expect, it } from 'vitest'
import { describeLocation, parseDatabaseUrl } from '#server/lib/store'

describe('NUXT_NOTIFY_DATABASE_URL', () => {
  it('is SQLite in .data/notify.sqlite when empty', () => {
    expect(parseDatabaseUrl('', '/app')).toEqual({ dialect: 'sqlite', path: '/app/.data/notify.sqlite' })
    expect(parseDatabaseUrl('  ', '/app')).toEqual({ dialect: 'sqlite', path: '/app/.data/notify.sqlite' })
  })

  it('puts SQLite elsewhere with file:PATH, relative to the working directory or absolute', () => {
    expect(parseDatabaseUrl('file:db/x.sqlite', '/app')).toEqual({ dialect: 'sqlite', path: '/app/db/x.sqlite' })
    expect(parseDatabaseUrl('file:/var/lib/notify.sqlite', '/app')).toEqual({ dialect: 'sqlite', path: '/var/lib/notify.sqlite' })
    expect(parseDatabaseUrl('file:///var/lib/notify.sqlite', '/app')).toEqual({ dialect: 'sqlite', path: '/var/lib/notify.sqlite' })
    expect(parseDatabaseUrl('file::memory:', '/app')).toEqual({ dialect: 'sqlite', path: ':memory:' })
  })

  it('is PostgreSQL for postgres:// and postgresql://', () => {
    expect(parseDatabaseUrl('postgres://u:p@db:5432/notify')).toEqual({ dialect: 'postgresql', url: 'postgres://u:p@db:5432/notify' })
    expect(parseDatabaseUrl('postgresql://db/notify')).toEqual({ dialect: 'postgresql', url: 'postgresql://db/notify' })
  })

  it('refuses anything else instead of guessing', () => {
    expect(() => parseDatabaseUrl('mysql://db/notify')).toThrow(/NUXT_NOTIFY_DATABASE_URL must be/)
    expect(() => parseDatabaseUrl('notify.sqlite')).toThrow(/NUXT_NOTIFY_DATABASE_URL must be/)
    expect(() => parseDatabaseUrl('file:')).toThrow(/needs a path/)
  })

  it('never logs the password', () => {
    expect(describeLocation(parseDatabaseUrl('postgres://notify:s3cret@db:5432/notify'))).toBe('PostgreSQL postgres://notify:***@db:5432/notify')
  })
})
