import { afterAll } from 'vitest'
import { ACCESS_SUITE_ENV, describeAccess } from '../support/access-suite'
import { startInstance } from '../support/processes'
import { TOKEN } from '../support/server'
import { ACCESS_ENV } from '../support/tokens'

// One production instance on the in-memory bus: it publishes and serves the streams.
const app = await startInstance({ ...ACCESS_ENV, ...ACCESS_SUITE_ENV, NUXT_NOTIFY_PUBLISH_TOKEN: TOKEN, NUXT_NOTIFY_DEMO_PUBLISHER: 'false' })
afterAll(() => app.stop())

describeAccess('memory bus', { publisher: app, subscriber: app })
