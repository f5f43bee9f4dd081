import type { PushSettings } from '#shared/types/push'
import { PUSH_WORKER_URL } from '#shared/types/push'

/** Why this device can't be subscribed, for the message shown. */
export type PushProblem = 'unsupported' | 'denied' | 'failed'

/** A base64url VAPID public key as the bytes PushManager.subscribe takes. */
function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(base64url.length / 4) * 4, '=')
  return Uint8Array.from(atob(base64), char => char.charCodeAt(0))
}

/**
 * "Notify me on this device" for the signed-in user: whether the server pushes (its VAPID key) and
 * the user's switch, this browser's subscription (our service worker, public/push-sw.js), and the
 * actions: subscribe (asks permission, subscribes with the server's key, stores it), unsubscribe,
 * turn the user's pushes on or off. docs/push.md.
 */
export function usePushDevice() {
  const settings = ref<PushSettings | null>(null)
  const supported = ref(false)
  const subscribed = ref(false)
  const busy = ref(false)
  const problem = ref<PushProblem | null>(null)
  const detail = ref('')

  async function currentSubscription(): Promise<PushSubscription | null> {
    const registration = await navigator.serviceWorker.getRegistration('/')
    return (await registration?.pushManager.getSubscription()) ?? null
  }

  async function refresh() {
    settings.value = await $fetch<PushSettings>('/api/push/settings')
    if (supported.value) subscribed.value = !!(await currentSubscription())
  }

  onMounted(() => {
    supported.value = 'serviceWorker' in navigator && 'PushManager' in window && typeof Notification !== 'undefined'
    if (!supported.value) problem.value = 'unsupported'
    void refresh().catch(error => (detail.value = String(error)))
  })

  async function act(action: () => Promise<void>) {
    busy.value = true
    problem.value = null
    detail.value = ''
    try {
      await action()
    }
    catch (error) {
      problem.value = 'failed'
      detail.value = (error as { data?: { message?: string } }).data?.message ?? (error as Error).message ?? String(error)
    }
    finally {
      busy.value = false
    }
  }

  const subscribe = () => act(async () => {
    const publicKey = settings.value?.publicKey
    if (!publicKey) return
    if (await Notification.requestPermission() !== 'granted') {
      problem.value = 'denied'
      return
    }
    // Registered here, on the click: a visitor who never asks for push never gets a worker.
    await navigator.serviceWorker.register(PUSH_WORKER_URL, { scope: '/' })
    const registration = await navigator.serviceWorker.ready
    const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) })
    await $fetch('/api/push/subscriptions', { method: 'POST', body: subscription.toJSON() })
    await refresh()
  })

  const unsubscribe = () => act(async () => {
    const subscription = await currentSubscription()
    if (subscription) {
      await $fetch('/api/push/subscriptions', { method: 'DELETE', body: { endpoint: subscription.endpoint } })
      await subscription.unsubscribe()
    }
    await refresh()
  })

  const setEnabled = (enabled: boolean) => act(async () => {
    settings.value = await $fetch<PushSettings>('/api/push/settings', { method: 'PUT', body: { enabled } })
  })

  return { settings, supported, subscribed, busy, problem, detail, subscribe, unsubscribe, setEnabled }
}
