import type { H3Event } from 'h3'
import { useAccessConfig } from './access-config'
import { tokensMatch } from './admin-token'
import { assertMayPublish, authenticatePublisher } from './authorize-publish'
import { readBearer } from './credentials'

/**
 * Who may ask whether someone is on a topic: an operator (the admin token), or a publisher whose
 * token may publish to that topic (the backend deciding whether to notify). Bearer only, as
 * publishing. 401/403 (or 503 with no token configured) before anything about the topic is read.
 */
export async function authorizePresence(event: H3Event, topic: string): Promise<void> {
  if (await isOperator(event)) return
  assertMayPublish(await authenticatePublisher(event), topic)
}

/**
 * Today's operator check (the admin token as a bearer). The one call to swap for access's shared
 * `isOperator` (./operator, on the harden branch) once it is on main.
 */
async function isOperator(event: H3Event): Promise<boolean> {
  const { adminToken } = useAccessConfig()
  const given = readBearer(event)
  return !!adminToken && !!given && (await tokensMatch(given, adminToken))
}
