import type { H3Event } from 'h3'
import type { NitroApp } from 'nitropack/types'
import { createHooks } from 'hookable'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { I18N_HOOK_NOT_FOUND, keepI18nToPages } from '../../server/lib/fast-path/i18n-pages-only'

// A stand-in with i18n's source shape: the fast path recognises the hook by the function it calls.
async function initializeI18nContext(event: { context: Record<string, unknown> }) {
  event.context.nuxtI18n = {}
}

const eventAt = (path: string) => ({ path, context: {} as Record<string, unknown> }) as unknown as H3Event & { context: Record<string, unknown> }

afterEach(() => vi.restoreAllMocks())

/** Nitro's hooks are hookable's: the real one, with the plugins' `request` hooks registered on it. */
function nitroWith(...requestHooks: Array<(event: H3Event) => unknown>) {
  const hooks = createHooks()
  for (const hook of requestHooks) hooks.hook('request', hook)
  return { hooks } as unknown as NitroApp
}

describe('@nuxtjs/i18n\'s request context kept to pages', () => {
  it('skips i18n\'s hook on the stream routes only, and checks once, before the first request', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const other = vi.fn()
    const nitro = nitroWith(async (event) => {
      await initializeI18nContext(event as unknown as { context: Record<string, unknown> })
    }, other)
    const checks: boolean[] = []
    keepI18nToPages(nitro, found => checks.push(found))
    for (const path of ['/', '/api/notify/events?topic=a', '/api/health', '/notify/stream', '/api/notify/stream/']) {
      const event = eventAt(path)
      await nitro.hooks.callHook('request', event)
      // A stream at another spelling (a trailing slash) is still the stream's route: no page render either.
      expect(event.context.nuxtI18n !== undefined, path).toBe(['/', '/api/health'].includes(path))
    }
    expect(other).toHaveBeenCalledTimes(5) // other plugins' hooks run everywhere
    expect(checks).toEqual([true])
    expect(warn).not.toHaveBeenCalled()
  })

  it('says so once and leaves every hook as it was when i18n\'s is not there to recognise', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const unknown = vi.fn((event: H3Event) => {
      event.context.nuxtI18n = {}
    })
    const nitro = nitroWith(unknown)
    const checks: boolean[] = []
    keepI18nToPages(nitro, found => checks.push(found))
    for (const path of ['/api/notify/events?topic=a', '/', '/api/notify/stream']) await nitro.hooks.callHook('request', eventAt(path))
    expect(unknown).toHaveBeenCalledTimes(3) // the whole pipeline: streams included
    expect(checks).toEqual([false])
    expect(warn).toHaveBeenCalledTimes(1)
    expect(warn).toHaveBeenCalledWith(I18N_HOOK_NOT_FOUND)
  })
})
