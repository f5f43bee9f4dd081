/** What push needs from `runtimeConfig.notify`; `vapid` undefined = push is off. */
export interface PushConfig {
  vapid?: { publicKey: string, privateKey: string, subject: string }
  /** Why push is off, for the one start-up line. */
  problem?: string
  allowHosts: ReadonlySet<string>
  ttlSeconds: number
}

interface NotifyPushSettings {
  vapidPublicKey?: unknown
  vapidPrivateKey?: unknown
  vapidSubject?: unknown
  pushAllowHosts?: unknown
  pushTtlSeconds?: unknown
}

const base64url = /^[\w-]+$/

export function readPushConfig(notify: NotifyPushSettings): PushConfig {
  const publicKey = String(notify.vapidPublicKey ?? '').trim()
  const privateKey = String(notify.vapidPrivateKey ?? '').trim()
  const subject = String(notify.vapidSubject ?? '').trim()
  const allowHosts = new Set(String(notify.pushAllowHosts ?? '').split(',').map(host => host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1')).filter(Boolean))
  const ttlSeconds = Math.max(0, Math.floor(Number(notify.pushTtlSeconds) || 0)) || 24 * 60 * 60
  const problem = !publicKey || !privateKey || !subject
    ? 'NUXT_NOTIFY_VAPID_PUBLIC_KEY, NUXT_NOTIFY_VAPID_PRIVATE_KEY and NUXT_NOTIFY_VAPID_SUBJECT are not all set'
    : !base64url.test(publicKey) || Buffer.from(publicKey, 'base64url').byteLength !== 65
        ? 'NUXT_NOTIFY_VAPID_PUBLIC_KEY is not a base64url P-256 public key (npm run vapid prints a pair)'
        : !base64url.test(privateKey) || Buffer.from(privateKey, 'base64url').byteLength !== 32
            ? 'NUXT_NOTIFY_VAPID_PRIVATE_KEY is not a base64url P-256 private key (npm run vapid prints a pair)'
            : !/^(?:mailto:|https:\/\/)/.test(subject)
                ? 'NUXT_NOTIFY_VAPID_SUBJECT must be a mailto: or https: URL'
                : undefined
  return { vapid: problem ? undefined : { publicKey, privateKey, subject }, problem, allowHosts, ttlSeconds }
}
