import type { ApiError } from '#shared/types/notify'
import { isRefusalCode, refusalCodeOfStatus } from '#shared/utils/refusals'

/**
 * A failed `$fetch`, in the page's language: the refusal's code (every server refusal carries one,
 * shared/utils/refusals.ts) through `refusal.<code>` of the UI's messages, never the server's English
 * `message`. A status without a known code (an older server, a proxy's 502) says what its status
 * means; no answer at all, that the server can't be reached.
 */
export function useRefusalText() {
  const { t } = useI18n()
  return (error: unknown): string => {
    const failed = error as { data?: Partial<ApiError>, statusCode?: number } | undefined
    const code = failed?.data?.code
    if (isRefusalCode(code)) return t(`refusal.${code}`)
    const status = failed?.data?.statusCode ?? failed?.statusCode
    return typeof status === 'number' && status > 0 ? t(`refusal.${refusalCodeOfStatus(status)}`) : t('errors.unreachable')
  }
}
