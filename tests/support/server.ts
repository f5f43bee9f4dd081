import { setup } from '@nuxt/test-utils/e2e'
import { chromiumLaunch } from './chromium'
import { rootDir } from './root'

export { chromiumLaunch, rootDir }

/**
 * Starts the production build (built once by build-once.ts) for this test file, with runtime
 * config from env. The demo publisher is off unless a test turns it on, so topics stay quiet.
 */
export async function setupServer(env: Record<string, string> = {}, options: { browser?: boolean } = {}) {
  await setup({
    rootDir,
    build: false,
    server: true,
    browser: options.browser ?? false,
    browserOptions: { type: 'chromium', launch: chromiumLaunch },
    nuxtConfig: { nitro: { output: { dir: `${rootDir}.output` } } },
    env: { NUXT_NOTIFY_DEMO_PUBLISHER: 'false', NUXT_NOTIFY_PUBLISH_TOKEN: TOKEN, ...env },
  })
}

export const TOKEN = 'test-token-0123456789'
