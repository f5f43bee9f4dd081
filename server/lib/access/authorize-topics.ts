import type { H3Event } from 'h3'
import { userTopic } from '#shared/utils/notify'
import { useAccessConfig } from './access-config'
import { readPresentedToken } from './credentials'
import { isOperator } from './operator'
import { isPrivateTopic } from './private-topics'
import { forbidden, unauthorized } from './refusals'
import { readSessionUser } from './session-user'
import { matchesAny } from './topic-patterns'
import { type VerifiedToken, TokenRefused, verifyToken } from './tokens'

export interface TopicAccess {
  /**
   * When the grant that let these topics be read ends (ms since the epoch): the token's `exp`. A
   * stream must end then, so an expired grant does not outlive it. Undefined: no end (public
   * topics, or the session alone).
   */
  expiresAt?: number
}

/**
 * Decides, before any byte is sent, whether this request may read every one of `topics`: public
 * topics need nothing; a private one needs a subscriber token whose `notify.subscribe` matches it,
 * or a session whose user it belongs to (`user:<id>`). One refused topic refuses them all.
 * 401 (WWW-Authenticate: Bearer) without credentials or with a bad token; 403 naming the first
 * topic the credentials don't grant. Every stream or read route of topic events calls this.
 */
export async function authorizeTopics(event: H3Event, topics: Iterable<string>): Promise<TopicAccess> {
  const config = useAccessConfig()
  const privateTopics = [...topics].filter(topic => isPrivateTopic(topic, config.privateTopics))
  if (privateTopics.length === 0) return {}

  // The operators' topics (admin:stats, the /status page) open to the operator's token (from the header only).
  if (privateTopics.every(topic => topic.startsWith(ADMIN_TOPIC_PREFIX)) && (await isOperator(event))) return {}
  const token = await readToken(event)
  const user = await readSessionUser(event)
  if (!token && !user) {
    unauthorized(event, 'topic.private', 'A requested topic is private: sign in, or send a subscriber token (Authorization: Bearer, the notify_token cookie, or ?access_token=).')
  }
  let usesToken = false
  for (const topic of privateTopics) {
    if (user && topic === userTopic(user.id)) continue
    if (token && matchesAny(topic, token.subscribe)) {
      usesToken = true
      continue
    }
    forbidden('topic.forbidden', `These credentials do not grant reading topic "${topic}".`)
  }
  return usesToken ? { expiresAt: token!.exp * 1000 } : {}
}

const ADMIN_TOPIC_PREFIX = 'admin:'

/** The presented subscriber token, verified; 401 when one is sent but refused (a bad token is never ignored). */
export async function readToken(event: H3Event): Promise<VerifiedToken | undefined> {
  const presented = readPresentedToken(event)
  if (!presented) return undefined
  const { jwtKey } = useAccessConfig()
  if (!jwtKey) unauthorized(event, 'tokens.off', 'This server accepts no tokens: it has no signing secret configured.', true)
  try {
    return await verifyToken(presented.token, jwtKey)
  }
  catch (error) {
    if (error instanceof TokenRefused) unauthorized(event, error.code, error.message, true)
    throw error
  }
}
