// `npm run vapid`: a fresh VAPID key pair (RFC 8292) for Web Push, as the lines of a .env file.
// Keep the private key as secret as a password; changing the pair invalidates every stored device.
import webpush from 'web-push'

const { publicKey, privateKey } = webpush.generateVAPIDKeys()
console.log(`NUXT_NOTIFY_VAPID_PUBLIC_KEY=${publicKey}`)
console.log(`NUXT_NOTIFY_VAPID_PRIVATE_KEY=${privateKey}`)
console.log('NUXT_NOTIFY_VAPID_SUBJECT=mailto:operator@example.com')
