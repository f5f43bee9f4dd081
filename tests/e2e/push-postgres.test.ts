import { afterAll } from 'vitest'
import { startPostgres } from '../support/postgres'
import { pushSuite } from '../support/push-suite'

// The same with the devices in a real PostgreSQL (the store's other dialect).
const postgres = await startPostgres()
afterAll(() => postgres.dispose())
await pushSuite('PostgreSQL', { NUXT_NOTIFY_DATABASE_URL: postgres.url })
