import { spawnSync } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'
import { chromiumLaunch } from './chromium'
import { postgresBinDir } from './postgres'

/** A Debian package the tests run for real, and how to tell that it is there. */
interface SystemPackage {
  name: string
  neededBy: string
  present: () => boolean
}

const APT_TIMEOUT_MS = 10 * 60_000

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  }
  catch {
    return false
  }
}

export function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some(dir => dir && executable(join(dir, command)))
}

export const SYSTEM_PACKAGES: SystemPackage[] = [
  { name: 'redis-server', neededBy: 'the Redis tests (each starts its own redis-server on a free port)', present: () => onPath('redis-server') },
  { name: 'redis-tools', neededBy: 'the Redis Cluster tests (redis-cli --cluster create forms the cluster)', present: () => onPath('redis-cli') },
  { name: 'postgresql', neededBy: 'the store tests (each starts its own PostgreSQL server: initdb in a temp dir, a free port)', present: () => !!postgresBinDir() },
  { name: 'chromium', neededBy: `the browser tests (they launch ${chromiumLaunch.executablePath})`, present: () => executable(chromiumLaunch.executablePath) },
]

/** Root with apt-get, and Chromium looked for where Debian puts it: then the tests may install what is missing. */
function canInstall(missing: SystemPackage[]): boolean {
  const customChromium = process.env.CHROMIUM_PATH !== undefined && missing.some(pkg => pkg.name === 'chromium')
  return process.getuid?.() === 0 && onPath('apt-get') && !customChromium
}

function apt(args: string[]) {
  return spawnSync('apt-get', args, {
    encoding: 'utf8',
    timeout: APT_TIMEOUT_MS,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  })
}

function aptFailure(result: ReturnType<typeof apt>, step: string): string | undefined {
  if (result.error) return `apt-get ${step}: ${result.error.message}`
  if (result.status !== 0) return `apt-get ${step} exited ${result.status}:\n${(result.stderr || result.stdout).trim().split('\n').slice(-15).join('\n')}`
  return undefined
}

/**
 * Vitest global setup, before the build: the e2e, browser and reliability tests run a real
 * redis-server, a real PostgreSQL server and a real Chromium. Where one is missing and this machine can install Debian
 * packages (root with apt-get), it is installed, in one line of output; elsewhere the run stops at
 * once with the package and the command to install it, instead of a test waiting on a binary that
 * is not there.
 */
export default function preflight() {
  let missing = SYSTEM_PACKAGES.filter(pkg => !pkg.present())
  if (!missing.length) return
  const names = missing.map(pkg => pkg.name).join(' ')
  const why = missing.map(pkg => `  - ${pkg.name}: needed by ${pkg.neededBy}`).join('\n')
  if (!canInstall(missing)) {
    const custom = process.env.CHROMIUM_PATH ? ` (or point CHROMIUM_PATH at a Chromium binary; it is ${process.env.CHROMIUM_PATH})` : ''
    throw new Error(`npm test needs Debian packages that this machine lacks:\n${why}\nInstall them with:\n  sudo apt-get update && sudo apt-get install -y ${names}${custom}`)
  }
  console.log(`npm test: installing ${names} with apt-get (missing on this machine; needed by the e2e and browser tests)`)
  const failed = aptFailure(apt(['update', '-qq']), 'update') ?? aptFailure(apt(['install', '-y', '-qq', ...missing.map(pkg => pkg.name)]), 'install')
  missing = missing.filter(pkg => !pkg.present())
  if (failed || missing.length) {
    throw new Error(`Could not install ${names}${failed ? `: ${failed}` : `; still missing after apt-get: ${missing.map(pkg => pkg.name).join(' ')}`}\n${why}`)
  }
}
