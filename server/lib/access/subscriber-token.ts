import type { SubscriberToken } from '#shared/types/notify'
import { refuse } from '#server/lib/http'
import { userTopic } from '#shared/utils/notify'
import { useAccessConfig } from './access-config'
import { mintToken } from './tokens'

/**
 * A token that lets `userId` read their own topic (and `extra` patterns), for the configured
 * lifetime: what a cross-origin client, or another backend acting for the user, opens the stream
 * with. 503 when the server has no signing secret.
 */
export async function mintSubscriberToken(userId: string, extra: readonly string[] = []): Promise<SubscriberToken> {
  const { jwtKey, tokenTtlSeconds } = useAccessConfig()
  if (!jwtKey) {
    refuse('token-minting.off', 'Tokens are disabled: set NUXT_NOTIFY_JWT_SECRET (at least 32 bytes) and restart the server.')
  }
  const subscribe = [userTopic(userId), ...extra]
  const { token, exp } = await mintToken({ sub: userId, notify: { subscribe }, ttlSeconds: tokenTtlSeconds }, jwtKey)
  return { token, expiresAt: new Date(exp * 1000).toISOString(), subscribe }
}
