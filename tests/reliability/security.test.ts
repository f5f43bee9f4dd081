import { $fetch, fetch } from '@nuxt/test-utils/e2e'
import { describe, expect, it } from 'vitest'
import { TOKEN, setupServer } from '../support/server'

await setupServer({ NUXT_NOTIFY_CORS_ORIGINS: 'https://app.example, null' })

const withOrigin = (origin: string) => fetch('/api/notify/stream?count=1&interval=10', { headers: { origin } })

describe('security', () => {
  it('with an allowlist, echoes only listed origins (with credentials), never * and never null', async () => {
    const allowed = await withOrigin('https://app.example')
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example')
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true')
    expect(allowed.headers.get('vary')).toMatch(/origin/i)
    for (const origin of ['https://evil.example', 'null', 'https://app.example.evil.example']) {
      const refused = await withOrigin(origin)
      expect(refused.headers.get('access-control-allow-origin')).toBeNull()
    }
  })

  it('never sends the publish token to the browser', async () => {
    for (const page of ['/', '/live']) {
      const html = await $fetch<string>(page, { responseType: 'text' })
      expect(html).not.toContain(TOKEN)
      const scripts = [...html.matchAll(/(?:src|href)="(\/_nuxt\/[^"]+\.js)"/g)].map(match => match[1]!)
      expect(scripts.length).toBeGreaterThan(0)
      for (const script of scripts) expect(await $fetch<string>(script, { responseType: 'text' })).not.toContain(TOKEN)
    }
  })

  it('sends security headers with pages', async () => {
    const response = await fetch('/')
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.get('x-frame-options')).toBe('DENY')
    expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin')
  })

  it('answers a path or method no route takes with a JSON 404 that names neither query nor token (never a 500)', async () => {
    for (const [method, path] of [['DELETE', '/api/notify/stats'], ['POST', '/api/health'], ['GET', '/api/nothing'], ['GET', '/notify/nothing']] as const) {
      const response = await fetch(`${path}?access_token=leaky-secret&topic=user:alice`, { method })
      const text = await response.text()
      expect(response.status, `${method} ${path}`).toBe(404)
      expect(JSON.parse(text)).toEqual({ statusCode: 404, statusMessage: 'Not Found', code: 'route.unknown', message: `No route answers ${method} ${path}.` })
      expect(text).not.toMatch(/leaky-secret|user:alice/)
    }
  })
})
