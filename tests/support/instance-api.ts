import type { NotifyStats, PublishResult } from '#shared/types/notify'
import { TOKEN } from './server'

/** The HTTP API of an instance started with `startInstance` (its own URL, not the @nuxt/test-utils one). */

/** POST /api/notify/publish with the test token; throws unless it answers 200. */
export async function publishTo(baseUrl: string, body: { topic?: string, event?: string, data: unknown }): Promise<PublishResult> {
  const response = await fetch(`${baseUrl}/api/notify/publish`, {
    method: 'POST',
    headers: { 'authorization': `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (!response.ok) throw new Error(`publish on ${baseUrl} answered ${response.status}: ${await response.text()}`)
  return response.json() as Promise<PublishResult>
}

/** GET /api/notify/stats (with the token, which `?runtime=1` needs); `query` starts with `?`. */
export async function statsOf(baseUrl: string, query = ''): Promise<NotifyStats> {
  const response = await fetch(`${baseUrl}/api/notify/stats${query}`, { headers: { authorization: `Bearer ${TOKEN}` } })
  if (!response.ok) throw new Error(`stats on ${baseUrl} answered ${response.status}: ${await response.text()}`)
  return response.json() as Promise<NotifyStats>
}
