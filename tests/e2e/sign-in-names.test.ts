import { fetch } from '@nuxt/test-utils/e2e'
import { describe, expect, it } from 'vitest'
import type { RecentEvents, SessionUser } from '#shared/types/notify'
import { USER_ID_PATTERN, userIdOf, userTopic } from '#shared/utils/notify'
import { setupServer } from '../support/server'
import { ACCESS_ENV } from '../support/tokens'

const { publish } = await setupServer(ACCESS_ENV)

async function signIn(name: string): Promise<{ user: SessionUser, cookie: string }> {
  const response = await fetch('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) })
  expect(response.status, name).toBe(200)
  const cookie = response.headers.getSetCookie().find(line => line.startsWith('nuxt-session='))!.split(';')[0]!
  return { user: await response.json() as SessionUser, cookie }
}

const recent = (topic: string, cookie: string) => fetch(`/api/notify/recent?topic=${encodeURIComponent(topic)}`, { headers: { cookie } })

describe('the demo sign-in takes any display name', () => {
  it.each(['王小明', 'Mary Jane', 'José'])('signs in as %s, with an id the server derived, that reads its own topic', async (name) => {
    const { user, cookie } = await signIn(name)
    expect(user.name).toBe(name)
    expect(user.id).toMatch(USER_ID_PATTERN)
    // The rule the pages address a user by (the send form) gives the same id.
    expect(user.id).toBe(userIdOf(name))
    expect((await signIn(` ${name.toUpperCase()} `)).user.id).toBe(user.id)

    const sent = await publish({ topic: userTopic(user.id), data: { text: `to ${name}` } })
    const own = await recent(userTopic(user.id), cookie)
    expect(own.status).toBe(200)
    expect((await own.json() as RecentEvents).events.map(event => event.id)).toContain(sent.id)
    // Another user's topic stays closed to this session.
    expect((await recent(userTopic('someone-else'), cookie)).status).toBe(403)
  })

  it('refuses an empty or too long name, or one with control characters, with its code', async () => {
    for (const name of ['', '   ', 'x'.repeat(65), 'two\nlines']) {
      const response = await fetch('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) })
      expect(response.status, JSON.stringify(name)).toBe(400)
      expect(await response.json()).toMatchObject({ code: 'sign-in.name-invalid' })
    }
  })
})
