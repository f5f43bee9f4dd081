import { afterAll } from 'vitest'
import { INBOX_SUITE_ENV, describeInboxApi } from '../support/inbox-api-suite'
import { startInstance } from '../support/processes'
import { TOKEN } from '../support/server'
import { ACCESS_ENV } from '../support/tokens'

// One production instance with the default store.
const app = await startInstance({ ...ACCESS_ENV, ...INBOX_SUITE_ENV, NUXT_NOTIFY_PUBLISH_TOKEN: TOKEN, NUXT_NOTIFY_DEMO_PUBLISHER: 'false' })
afterAll(() => app.stop())

describeInboxApi('default store', app)
