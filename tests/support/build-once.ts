import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const rootDir = fileURLToPath(new URL('../..', import.meta.url))
// A cold build takes about a minute here; ten means something is stuck, and the run says so.
const BUILD_TIMEOUT_MS = 10 * 60_000

/**
 * Builds the production server once for every e2e file. E2E_SKIP_BUILD=1 reuses .output while iterating.
 * Two projects (e2e, e2e-alone) name this setup: the second call in the same run finds the build done
 * (a second build under running servers would replace their files).
 */
export default function buildOnce() {
  if (process.env.NOTIFY_E2E_BUILT === '1') return
  process.env.NOTIFY_E2E_BUILT = '1'
  if (process.env.E2E_SKIP_BUILD === '1' && existsSync(`${rootDir}/.output/server/index.mjs`)) return
  const result = spawnSync('nuxt', ['build'], { cwd: rootDir, encoding: 'utf8', timeout: BUILD_TIMEOUT_MS, env: { ...process.env, NODE_ENV: 'production' } })
  if (result.error) throw new Error(`nuxt build could not run: ${result.error.message}\n${result.stdout ?? ''}\n${result.stderr ?? ''}`)
  if (result.status !== 0) {
    throw new Error(`nuxt build failed (${result.status}):\n${result.stdout}\n${result.stderr}`)
  }
}
