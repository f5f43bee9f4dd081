import type { NotifyStats, PublishRequest, PublishResult } from '#shared/types/notify'

/** The test token every instance is started with (NUXT_NOTIFY_PUBLISH_TOKEN). */
export const TOKEN = 'test-token-0123456789'

/**
 * The HTTP API of one running server, the same whether @nuxt/test-utils started it for the file
 * (`setupServer`) or the test spawned it (`startInstance`).
 */
export interface Instance {
  /** Its origin, `http://127.0.0.1:<port>`, known once the server is up. */
  readonly url: string
  /** POST /api/notify/publish with the test token; throws unless it answers 200. */
  publish(body: PublishRequest): Promise<PublishResult>
  /** The same POST, the answer as it came; `body` is sent as given when it is a string, `headers` override. */
  publishRaw(body: unknown, headers?: Record<string, string>): Promise<Response>
  /** GET /api/notify/stats with the token (which `?runtime=1` needs); `query` starts with `?`. */
  stats(query?: string): Promise<NotifyStats>
  /** Ends the server (the @nuxt/test-utils one ends with its file: nothing to do there). */
  stop(): Promise<void>
}

/** The API of the server at `origin()` (read on each call: test-utils knows it only once it started). */
export function instanceApi(origin: () => string, stop: () => Promise<void>): Instance {
  const publishRaw = (body: unknown, headers: Record<string, string> = {}) => fetch(`${origin()}/api/notify/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'authorization': `Bearer ${TOKEN}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  return {
    get url() {
      return origin()
    },
    publishRaw,
    async publish(body) {
      const response = await publishRaw(body)
      if (response.status !== 200) throw new Error(`publish on ${origin()} answered ${response.status}: ${await response.text()}`)
      return response.json() as Promise<PublishResult>
    },
    async stats(query = '') {
      const response = await fetch(`${origin()}/api/notify/stats${query}`, { headers: { authorization: `Bearer ${TOKEN}` } })
      if (!response.ok) throw new Error(`stats on ${origin()} answered ${response.status}: ${await response.text()}`)
      return response.json() as Promise<NotifyStats>
    },
    stop,
  }
}
