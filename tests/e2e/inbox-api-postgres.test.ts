import { afterAll } from 'vitest'
import { INBOX_SUITE_ENV, describeInboxApi } from '../support/inbox-api-suite'
import { startPostgres } from '../support/postgres'
import { startInstance } from '../support/processes'
import { TOKEN } from '../support/server'
import { ACCESS_ENV } from '../support/tokens'

// The same suite on a real PostgreSQL server of its own (the store's database for several instances).
const postgres = await startPostgres()
const app = await startInstance({
  ...ACCESS_ENV,
  ...INBOX_SUITE_ENV,
  NUXT_NOTIFY_PUBLISH_TOKEN: TOKEN,
  NUXT_NOTIFY_DEMO_PUBLISHER: 'false',
  NUXT_NOTIFY_DATABASE_URL: await postgres.createDatabase('inbox_api'),
})
afterAll(async () => {
  await app.stop()
  await postgres.dispose()
})

describeInboxApi('PostgreSQL', app)
