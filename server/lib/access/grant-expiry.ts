import type { RenewPayload } from '#shared/types/notify'
import { STREAM_EVENTS } from '../../../composables/useEventStream/stream-events'
import { type SseSink, encodeFrame } from '#server/lib/sse'

const RENEW_FRAME = encodeFrame({ event: STREAM_EVENTS.renew, data: JSON.stringify({ reason: 'token-expired' } satisfies RenewPayload) })
// setTimeout's longest delay; a later expiry is re-armed when it fires.
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * A stream opened with a token ends when the token does, with a `renew` event (no id, so the
 * client's Last-Event-ID stays its last real event): it gets a fresh token and resumes. An
 * expired or revoked grant does not outlive its `exp`. The timer goes with the stream.
 */
export function endWhenGrantExpires(sink: SseSink, expiresAt: number): void {
  let timer: ReturnType<typeof setTimeout>
  const arm = () => {
    const remaining = expiresAt - Date.now()
    if (remaining > MAX_TIMER_MS) {
      timer = setTimeout(arm, MAX_TIMER_MS)
      return
    }
    timer = setTimeout(() => {
      sink.write(RENEW_FRAME)
      sink.end()
    }, Math.max(0, remaining))
  }
  arm()
  sink.onClose(() => clearTimeout(timer))
}
