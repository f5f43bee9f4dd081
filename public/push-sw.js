// The app's service worker: it shows a Web Push as a notification and, on a click, focuses a tab of
// /inbox or opens one. Nothing else: no caching, no offline shell (the pages are rendered on the
// server and live on a stream), which is why it is this small file and not a PWA module's worker.
// The payload is the server's PushPayload (shared/types/push.ts): { id, text, url }.

self.addEventListener('install', () => self.skipWaiting())
self.addEventListener('activate', event => event.waitUntil(self.clients.claim()))

self.addEventListener('push', (event) => {
  let payload = {}
  try {
    payload = event.data ? event.data.json() : {}
  }
  catch {
    payload = { text: event.data ? event.data.text() : '' }
  }
  const url = typeof payload.url === 'string' && payload.url.startsWith('/') ? payload.url : '/inbox'
  const text = typeof payload.text === 'string' ? payload.text : ''
  event.waitUntil(self.registration.showNotification(self.location.hostname, {
    body: text,
    // One notification per event on a device, however many times it is delivered.
    tag: typeof payload.id === 'string' ? payload.id : undefined,
    data: { url },
  }))
})

self.addEventListener('notificationclick', (event) => {
  event.notification.close()
  const url = new URL(event.notification.data?.url ?? '/inbox', self.location.origin)
  event.waitUntil((async () => {
    const tabs = await self.clients.matchAll({ type: 'window', includeUncontrolled: true })
    const open = tabs.find(tab => new URL(tab.url).pathname === url.pathname)
    if (open) return open.focus()
    return self.clients.openWindow(url.href)
  })())
})
