import { fileURLToPath } from 'node:url'
import { defineVitestProject } from '@nuxt/test-utils/config'
import { defineConfig } from 'vitest/config'

const alias = {
  '#shared': fileURLToPath(new URL('./shared', import.meta.url)),
  '#server': fileURLToPath(new URL('./server', import.meta.url)),
}

/** Files whose assertions are timings of the server itself (run in their own group, see below). */
const TIMED_ALONE = ['tests/reliability/leaks.test.ts']

const E2E: { environment: 'node', globalSetup: string[], testTimeout: number, hookTimeout: number } = {
  environment: 'node',
  // redis-server, PostgreSQL and Chromium present (installed with apt where it can), then one
  // production build for every e2e file; each file then starts its own server on a free port.
  globalSetup: ['tests/support/preflight.ts', 'tests/support/build-once.ts'],
  testTimeout: 30_000,
  hookTimeout: 120_000,
}

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias },
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node' },
      },
      await defineVitestProject({
        test: {
          name: 'nuxt',
          include: ['tests/nuxt/**/*.test.ts'],
          environment: 'nuxt',
          // Starting the Nuxt app in the environment (Vite transforms, @nuxtjs/i18n among them) takes
          // 4-10 s on this 2-core machine alone and more beside the e2e files; vitest's 10 s default
          // timed it out in a full run. The tests' own deadlines are unchanged.
          hookTimeout: 60_000,
        },
      }),
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts', 'tests/browser/**/*.test.ts', 'tests/reliability/**/*.test.ts'],
          exclude: TIMED_ALONE,
          ...E2E,
        },
      },
      {
        resolve: { alias },
        test: {
          // What measures the server's own event-loop delay runs after every other file, alone: on a
          // 2-core machine the other files' servers, browsers and databases would be in its figure.
          name: 'e2e-alone',
          include: TIMED_ALONE,
          sequence: { groupOrder: 1 },
          ...E2E,
        },
      },
    ],
  },
})
