import { setup, url } from '@nuxt/test-utils/e2e'
import { chromiumLaunch } from './chromium'
import { type Instance, TOKEN, instanceApi } from './instance'
import { ownStoreEnv } from './processes'
import { rootDir } from './root'

export { chromiumLaunch, rootDir, TOKEN }

/**
 * Starts the production build (built once by build-once.ts) for this test file, with runtime
 * config from env. The demo publisher is off unless a test turns it on, so topics stay quiet; its
 * store is a SQLite file of its own unless env names one.
 * Returns its API; @nuxt/test-utils stops the server after the file.
 */
export async function setupServer(env: Record<string, string> = {}, options: { browser?: boolean } = {}): Promise<Instance> {
  await setup({
    rootDir,
    build: false,
    server: true,
    browser: options.browser ?? false,
    browserOptions: { type: 'chromium', launch: chromiumLaunch },
    nuxtConfig: { nitro: { output: { dir: `${rootDir}.output` } } },
    env: { NUXT_NOTIFY_DEMO_PUBLISHER: 'false', NUXT_NOTIFY_PUBLISH_TOKEN: TOKEN, ...ownStoreEnv(env), ...env },
  })
  return instanceApi(() => url('/').replace(/\/$/, ''), async () => {})
}
