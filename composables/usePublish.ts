import type { PublishRequest, PublishResult } from '#shared/types/notify'

export interface PublishOutcome { ok: boolean, text: string }

/**
 * The one publish core the forms share: a token typed by the person who has it (kept in this tab's memory,
 * never shipped in the bundle), `POST /api/notify/publish`, and the outcome line to show: the caller's text on
 * success, the refusal in the page's language (useRefusalText) otherwise.
 */
export function usePublish() {
  const token = ref('')
  // What happened, kept rather than its text: the outcome reads in the page's language after a switch too.
  const last = shallowRef<{ result: PublishResult, describe: (result: PublishResult) => string } | { error: unknown }>()
  const refusalText = useRefusalText()
  const outcome = computed<PublishOutcome | undefined>(() => {
    const happened = last.value
    if (!happened) return undefined
    return 'error' in happened ? { ok: false, text: refusalText(happened.error) } : { ok: true, text: happened.describe(happened.result) }
  })

  async function publish(body: PublishRequest, describe: (result: PublishResult) => string) {
    try {
      const result = await $fetch<PublishResult>('/api/notify/publish', {
        method: 'POST',
        headers: { authorization: `Bearer ${token.value}` },
        body,
      })
      last.value = { result, describe }
    }
    catch (error) {
      last.value = { error }
    }
  }

  return { token, outcome, publish }
}
