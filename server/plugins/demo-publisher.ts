import { DEMO_TOPICS } from '#shared/utils/notify'
import { STREAM_EVENTS } from '../../composables/useEventStream/stream-events'
import { WORKER_PRESET } from '#server/lib/runtime'

/**
 * Feeds the /live page: a price ticker on `ticker` and a log line on `logs` every `demoIntervalMs`.
 * Turn it off with NUXT_NOTIFY_DEMO_PUBLISHER=false; never started on Cloudflare Workers.
 */
const LEVELS = ['info', 'info', 'info', 'warn', 'error'] as const
const SYMBOLS = ['NUXT', 'VUE', 'NITRO'] as const

export default defineNitroPlugin((nitroApp) => {
  const { demoPublisher, demoIntervalMs } = useNotifyConfig()
  // A Worker has no background time between requests (and refuses timers at start-up).
  if (!demoPublisher || WORKER_PRESET) return
  const prices: Record<string, number> = { NUXT: 100, VUE: 50, NITRO: 20 }
  let tick = 0

  const timer = setInterval(() => {
    tick++
    const symbol = SYMBOLS[tick % SYMBOLS.length]!
    const price = prices[symbol] = Math.max(1, prices[symbol]! * (1 + (Math.random() - 0.5) / 50))
    const { bus } = useBroadcastHub()
    void bus.publish({ topic: DEMO_TOPICS.ticker, event: STREAM_EVENTS.message, data: { symbol, price: Number(price.toFixed(2)) } })
    const level = LEVELS[tick % LEVELS.length]!
    void bus.publish({ topic: DEMO_TOPICS.logs, event: STREAM_EVENTS.message, data: { level, line: `demo worker heartbeat #${tick}` } })
  }, demoIntervalMs)
  if (typeof timer === 'object' && 'unref' in timer) timer.unref()
  nitroApp.hooks.hook('close', () => clearInterval(timer))
})
