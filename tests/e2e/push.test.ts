import { pushSuite } from '../support/push-suite'

// Devices in the default store: SQLite (a file of this server's own).
await pushSuite('SQLite')
