import type { H3Event } from 'h3'
import { assertMayPublish, authenticatePublisher } from './authorize-publish'
import { isOperator } from './operator'

/**
 * Who may ask whether someone is on a topic: an operator (requireOperator's credential), or a publisher whose
 * token may publish to that topic (the backend deciding whether to notify). Bearer only, as
 * publishing. 401/403 (or 503 with no token configured) before anything about the topic is read.
 */
export async function authorizePresence(event: H3Event, topic: string): Promise<void> {
  if (await isOperator(event)) return
  assertMayPublish(await authenticatePublisher(event), topic)
}
