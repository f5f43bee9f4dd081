import type { ApiError, PublishRequest, PublishResult } from '#shared/types/notify'

export interface PublishOutcome { ok: boolean, text: string }

/**
 * The one publish core the forms share: a token typed by the person who has it (kept in this tab's memory,
 * never shipped in the bundle), `POST /api/notify/publish`, and the outcome line to show: the caller's text on
 * success, the server's `message` on refusal.
 */
export function usePublish() {
  const token = ref('')
  const outcome = ref<PublishOutcome>()

  async function publish(body: PublishRequest, describe: (result: PublishResult) => string) {
    try {
      const result = await $fetch<PublishResult>('/api/notify/publish', {
        method: 'POST',
        headers: { authorization: `Bearer ${token.value}` },
        body,
      })
      outcome.value = { ok: true, text: describe(result) }
    }
    catch (error) {
      const data = (error as { data?: ApiError }).data
      outcome.value = { ok: false, text: data?.message ?? String(error) }
    }
  }

  return { token, outcome, publish }
}
