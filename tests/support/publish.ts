import { fetch } from '@nuxt/test-utils/e2e'
import type { PublishResult } from '#shared/types/notify'
import { TOKEN } from './server'

/** POSTs to the publish API; `body` is sent as given when it is a string. */
export function publishRaw(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch('/api/notify/publish', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'authorization': `Bearer ${TOKEN}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

export async function publish(body: { topic?: string, event?: string, data: unknown }): Promise<PublishResult> {
  const response = await publishRaw(body)
  if (response.status !== 200) throw new Error(`publish answered ${response.status}: ${await response.text()}`)
  return response.json()
}
