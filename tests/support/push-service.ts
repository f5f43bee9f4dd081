import { execFileSync } from 'node:child_process'
import { createDecipheriv, createECDH, type ECDH, hkdfSync, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type JWTPayload, importJWK, jwtVerify } from 'jose'
import type { PushPayload, PushSubscriptionJson } from '#shared/types/push'

/** One device of the tests: a subscription whose private keys the test holds, so it can decrypt. */
export interface TestDevice {
  id: string
  subscription: PushSubscriptionJson
  ecdh: ECDH
  auth: Buffer
}

/** One push the service took: checked (VAPID signature and audience) and decrypted. */
export interface ReceivedPush {
  device: string
  payload: PushPayload
  ttl: number
  urgency: string
  claims: JWTPayload
}

export interface PushService {
  /** `https://127.0.0.1:<port>` */
  origin: string
  /** The service's certificate, for the server's NODE_EXTRA_CA_CERTS. */
  certFile: string
  device(id: string): TestDevice
  /** Pushes taken, in arrival order (201 answered). */
  received: ReceivedPush[]
  /** Requests that failed a check (bad signature, audience, encryption...): a test expects none. */
  failures: string[]
  /** Every request, answered or not: device and status. */
  requests: Array<{ device: string, status: number }>
  /** The next answers to `device`'s pushes, before 201 again (410: gone; 429, 503: retry). */
  answer(device: string, ...statuses: number[]): void
  close(): Promise<void>
}

const b64url = (bytes: Buffer) => bytes.toString('base64url')

/**
 * A push service of the tests' own (RFC 8030) on loopback over https, with a certificate made here
 * (openssl). For each POST to `/push/<device>`: checks the VAPID header (RFC 8292: an ES256 JWT signed
 * by the key in `k`, `k` the server's public key, `aud` this origin, `exp` within 24 h, `sub` a
 * contact), and decrypts the body (RFC 8291 aes128gcm) with the device's private keys.
 */
export async function startPushService(vapidPublicKey: string): Promise<PushService> {
  const dir = mkdtempSync(join(tmpdir(), 'notify-push-'))
  const keyFile = join(dir, 'key.pem')
  const certFile = join(dir, 'cert.pem')
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile,
    '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' })
  const devices = new Map<string, TestDevice>()
  const answers = new Map<string, number[]>()
  const received: ReceivedPush[] = []
  const failures: string[] = []
  const requests: PushService['requests'] = []
  let origin = ''

  async function check(deviceId: string, headers: Record<string, string | string[] | undefined>, body: Buffer): Promise<ReceivedPush> {
    const device = devices.get(deviceId)
    if (!device) throw new Error(`no device ${deviceId}`)
    if (headers['content-encoding'] !== 'aes128gcm') throw new Error(`Content-Encoding is ${headers['content-encoding']}`)
    const ttl = Number(headers.ttl)
    if (!Number.isInteger(ttl) || ttl < 0) throw new Error(`TTL is ${headers.ttl}`)
    const urgency = String(headers.urgency)
    if (!['very-low', 'low', 'normal', 'high'].includes(urgency)) throw new Error(`Urgency is ${urgency}`)
    const vapid = /^vapid t=([^,\s]+),\s*k=([\w-]+)$/.exec(String(headers.authorization ?? ''))
    if (!vapid) throw new Error(`Authorization is not "vapid t=..., k=...": ${headers.authorization}`)
    const [, jwt, k] = vapid
    if (k !== vapidPublicKey) throw new Error('k is not the server\'s VAPID public key')
    const point = Buffer.from(k!, 'base64url')
    const key = await importJWK({ kty: 'EC', crv: 'P-256', x: b64url(point.subarray(1, 33)), y: b64url(point.subarray(33, 65)) }, 'ES256')
    const { payload: claims } = await jwtVerify(jwt!, key, { algorithms: ['ES256'], audience: origin })
    if (!claims.exp || claims.exp > Date.now() / 1000 + 24 * 3600) throw new Error(`exp is not within 24 h: ${claims.exp}`)
    if (!/^(?:mailto:|https:)/.test(String(claims.sub))) throw new Error(`sub is not a contact: ${claims.sub}`)
    return { device: deviceId, payload: JSON.parse(decrypt(device, body)) as PushPayload, ttl, urgency, claims }
  }

  const server = createServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, (request, response) => {
    const chunks: Buffer[] = []
    request.on('data', chunk => chunks.push(chunk))
    request.on('end', () => {
      const deviceId = /^\/push\/([\w-]+)$/.exec(request.url ?? '')?.[1] ?? ''
      const status = answers.get(deviceId)?.shift() ?? 201
      void check(deviceId, request.headers, Buffer.concat(chunks)).then(
        (push) => {
          if (status === 201) received.push(push)
          requests.push({ device: deviceId, status })
          response.writeHead(status, status === 429 ? { 'retry-after': '0' } : {}).end()
        },
        (error: Error) => {
          failures.push(`${deviceId}: ${error.message}`)
          requests.push({ device: deviceId, status: 400 })
          response.writeHead(400).end(error.message)
        },
      )
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    origin,
    certFile,
    received,
    failures,
    requests,
    device(id) {
      const ecdh = createECDH('prime256v1')
      ecdh.generateKeys()
      const auth = randomBytes(16)
      const device: TestDevice = {
        id,
        ecdh,
        auth,
        subscription: { endpoint: `${origin}/push/${id}`, expirationTime: null, keys: { p256dh: b64url(ecdh.getPublicKey()), auth: b64url(auth) } },
      }
      devices.set(id, device)
      return device
    },
    answer(device, ...statuses) {
      answers.set(device, [...(answers.get(device) ?? []), ...statuses])
    },
    async close() {
      server.closeAllConnections()
      await new Promise(resolve => server.close(resolve))
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** RFC 8291 / RFC 8188: one aes128gcm record, decrypted with the device's ECDH key and auth secret. */
function decrypt(device: TestDevice, body: Buffer): string {
  const salt = body.subarray(0, 16)
  const idLength = body[20]!
  const serverPublic = body.subarray(21, 21 + idLength)
  const record = body.subarray(21 + idLength)
  const secret = device.ecdh.computeSecret(serverPublic)
  const info = (label: string) => Buffer.from(`Content-Encoding: ${label}\0`)
  const ikm = Buffer.from(hkdfSync('sha256', secret, device.auth, Buffer.concat([Buffer.from('WebPush: info\0'), device.ecdh.getPublicKey(), serverPublic]), 32))
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, info('aes128gcm'), 16))
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, info('nonce'), 12))
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce)
  decipher.setAuthTag(record.subarray(-16))
  const padded = Buffer.concat([decipher.update(record.subarray(0, -16)), decipher.final()])
  let end = padded.length
  while (end > 0 && padded[end - 1] === 0) end--
  if (padded[end - 1] !== 2) throw new Error('the last record does not end with the padding delimiter 0x02')
  return padded.subarray(0, end - 1).toString('utf8')
}
