import webpush from 'web-push'
import type { BrowserContext, Page } from 'playwright-core'
import { getBrowser, url } from '@nuxt/test-utils/e2e'
import { afterAll, describe, expect, it } from 'vitest'
import { closeLikeAPerson, pageProblems } from '../support/page'
import { startInstance } from '../support/processes'
import { startPushService } from '../support/push-service'
import { TOKEN, setupServer } from '../support/server'
import { eventually } from '../support/sse'
import { ACCESS_ENV } from '../support/tokens'

// Chromium against the production build with VAPID keys, and the tests' own push service (over
// https, trusted by the server through NODE_EXTRA_CA_CERTS) standing in for the browser's.
const vapid = webpush.generateVAPIDKeys()
const service = await startPushService(vapid.publicKey)
const app = await setupServer({
  ...ACCESS_ENV,
  NUXT_NOTIFY_VAPID_PUBLIC_KEY: vapid.publicKey,
  NUXT_NOTIFY_VAPID_PRIVATE_KEY: vapid.privateKey,
  NUXT_NOTIFY_VAPID_SUBJECT: 'mailto:ops@example.com',
  NUXT_NOTIFY_PUSH_ALLOW_HOSTS: '127.0.0.1',
  NODE_EXTRA_CA_CERTS: service.certFile,
}, { browser: true })

const contexts: BrowserContext[] = []
afterAll(async () => {
  await Promise.all(contexts.map(context => context.close()))
  await service.close()
})

async function signedIn(name: string, origin = new URL(url('/')).origin): Promise<{ context: BrowserContext, page: Page, problems: string[] }> {
  const context = await (await getBrowser()).newContext()
  contexts.push(context)
  await context.grantPermissions(['notifications'], { origin })
  const page = await context.newPage()
  const problems = pageProblems(page)
  await page.goto(`${origin}/inbox`, { waitUntil: 'networkidle' })
  await page.getByTestId('sign-in').locator('input[name=name]').fill(name)
  await page.getByTestId('sign-in').getByRole('button').click()
  await page.getByTestId('signed-in').filter({ hasText: name }).waitFor()
  return { context, page, problems }
}

const presence = async (topic: string) => (await (await fetch(`${app.url}/api/notify/presence?topic=${topic}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { streams: number }

describe('Web Push in Chromium', () => {
  it('registers our service worker on "notify me on this device", and a push delivered to it shows the notification', async () => {
    const { context, page } = await signedIn('Alice')
    await page.getByTestId('push-switch').waitFor()
    await page.getByTestId('push-device').click()
    // The worker is registered on the click; subscribing then needs the browser's own push service,
    // which Chromium here cannot reach: the page says so instead of pretending.
    const scriptURL = await eventually(() => page.evaluate(async () => (await navigator.serviceWorker.getRegistration('/'))?.active?.scriptURL ?? ''), value => value !== '', 10_000)
    expect(scriptURL).toBe(`${new URL(url('/')).origin}/push-sw.js`)
    await eventually(() => page.evaluate(() => !!document.querySelector('[data-testid="push-problem"], [data-testid="push-device"]:not([disabled])')), ok => ok, 15_000)

    const cdp = await context.newCDPSession(page)
    const registrations: Array<{ registrationId: string, scopeURL: string }> = []
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations: updated }) => registrations.push(...updated))
    await cdp.send('ServiceWorker.enable')
    const registration = await eventually(async () => registrations.find(entry => entry.scopeURL === `${new URL(url('/')).origin}/`), found => !!found, 5000)
    const payload = { id: '1733300000000-7', text: 'Pushed while you were away', url: '/inbox' }
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: new URL(url('/')).origin, registrationId: registration!.registrationId, data: JSON.stringify(payload) })
    const shown = await eventually(
      () => page.evaluate(async () => (await (await navigator.serviceWorker.getRegistration('/'))!.getNotifications()).map(n => ({ body: n.body, tag: n.tag, url: (n.data as { url?: string } | null)?.url }))),
      notifications => notifications.length > 0,
      10_000,
    )
    expect(shown).toEqual([{ body: payload.text, tag: payload.id, url: '/inbox' }])
  })

  it('with a tab open Alice gets the notification in the page and no push; with none open, the push', async () => {
    const { context, page, problems } = await signedIn('Dora')
    const cookie = (await context.cookies()).filter(entry => entry.name === 'nuxt-session').map(entry => `${entry.name}=${entry.value}`).join('; ')
    const device = service.device('dora-phone')
    const stored = await fetch(`${app.url}/api/push/subscriptions`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(device.subscription) })
    expect(stored.status).toBe(201)
    await eventually(() => presence('user:dora'), result => result.streams === 1)

    const inTab = await app.publish({ topic: 'user:dora', data: { text: 'while the tab is open' } })
    await page.getByTestId('inbox-item').filter({ hasText: 'while the tab is open' }).waitFor()
    await closeLikeAPerson(page)
    await eventually(() => presence('user:dora'), result => result.streams === 0, 10_000)

    const away = await app.publish({ topic: 'user:dora', data: { text: 'with no tab open' } })
    await eventually(async () => service.received.filter(push => push.device === 'dora-phone').length, n => n === 1, 10_000)
    expect(service.received.filter(push => push.device === 'dora-phone').map(push => push.payload)).toEqual([{ id: away.id, text: 'with no tab open', url: '/inbox' }])
    expect(service.received.some(push => push.payload.id === inTab.id)).toBe(false)
    expect(service.failures).toEqual([])
    expect(problems).toEqual([])
  })

  it('says push is off on a server without VAPID keys', async () => {
    const bare = await startInstance({ ...ACCESS_ENV, NUXT_NOTIFY_DEMO_PUBLISHER: 'false' })
    try {
      const { page } = await signedIn('Erin', bare.url)
      await page.getByTestId('push-off').waitFor()
      expect(await page.getByTestId('push-device').count()).toBe(0)
    }
    finally {
      await bare.stop()
    }
  })
})
