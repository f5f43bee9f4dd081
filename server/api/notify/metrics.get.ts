import { requireOperator } from '#server/lib/access'
import { answerPrivately } from '#server/lib/http'

/**
 * `GET /api/notify/metrics`: this instance's Prometheus metrics, in the text format prom-client
 * writes. The operator only (`requireOperator`: NUXT_NOTIFY_METRICS_TOKEN, else the publish token).
 */
export default defineEventHandler(async (event) => {
  await requireOperator(event)
  const { registry } = useNotifyMetrics()
  const text = await registry.metrics()
  setResponseHeader(event, 'content-type', registry.contentType)
  answerPrivately(event, 'authorization')
  return text
})
