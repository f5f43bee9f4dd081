import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const rootDir = fileURLToPath(new URL('../..', import.meta.url))

/** Builds the production server once for every e2e file. E2E_SKIP_BUILD=1 reuses .output while iterating. */
export default function buildOnce() {
  if (process.env.E2E_SKIP_BUILD === '1' && existsSync(`${rootDir}/.output/server/index.mjs`)) return
  const result = spawnSync('nuxt', ['build'], { cwd: rootDir, encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production' } })
  if (result.status !== 0) {
    throw new Error(`nuxt build failed (${result.status}):\n${result.stdout}\n${result.stderr}`)
  }
}
