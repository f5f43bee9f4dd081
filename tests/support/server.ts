import { fileURLToPath } from 'node:url'
import { setup } from '@nuxt/test-utils/e2e'

export const rootDir = fileURLToPath(new URL('../..', import.meta.url))

export const chromiumLaunch = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
}

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
