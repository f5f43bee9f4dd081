/**
 * The command line of `npm run bench`, parsed once. Every knob that changes what is measured is here,
 * with its default; run.ts prints the settings it ran with and latest.json keeps them.
 */
import { parseArgs } from 'node:util'

export type TargetName = 'baseline' | 'better-sse' | 'nuxt'
export type ScenarioName = 'broadcast' | 'counting' | 'churn' | 'token-churn' | 'storm' | 'stored-publish'

const { values } = parseArgs({
  // Tools beside run.ts (heap-census.ts) take positionals of their own.
  allowPositionals: true,
  options: {
    'sizes': { type: 'string', default: '1000,10000' },
    'repeat': { type: 'string', default: '3' },
    'messages': { type: 'string', default: '20' },
    'publish-interval': { type: 'string', default: '250' },
    // How long the subscribers are held before the no-GC RSS is read (what a container limit sees).
    'hold-seconds': { type: 'string', default: '30' },
    'streams': { type: 'string', default: '1000' },
    'churn': { type: 'string', default: '3000' },
    'storm-size': { type: 'string', default: '10000' },
    'storm-publish-interval': { type: 'string', default: '1000' },
    // Stored publishes: keep-alive publisher sockets, seconds per measured window, the fixed rate of the ack-time phase.
    'publish-connections': { type: 'string', default: '64' },
    'publish-seconds': { type: 'string', default: '10' },
    'publish-rate': { type: 'string', default: '1000' },
    'targets': { type: 'string', default: 'baseline,better-sse,nuxt' },
    'scenarios': { type: 'string', default: 'broadcast,counting,churn,token-churn,storm,stored-publish' },
    'cpu-prof': { type: 'boolean', default: false },
    'heap-prof': { type: 'boolean', default: false },
    // Extra node flags for every server, e.g. --node-flags=--max-semi-space-size=16 (space-separated).
    'node-flags': { type: 'string', default: '' },
    // Extra node flags for the Nuxt server only (an A/B of a flag against the same baseline).
    'nuxt-node-flags': { type: 'string', default: '' },
    'timeout-minutes': { type: 'string', default: '40' },
  },
})

const list = (text: string) => text.split(',').map(item => item.trim()).filter(Boolean)

export const options = {
  sizes: list(values.sizes).map(Number).filter(n => n > 0),
  repeat: Math.max(1, Number(values.repeat)),
  messages: Number(values.messages),
  publishIntervalMs: Number(values['publish-interval']),
  holdSeconds: Math.max(0, Number(values['hold-seconds'])),
  streams: Number(values.streams),
  churnCycles: Number(values.churn),
  stormSize: Number(values['storm-size']),
  stormPublishIntervalMs: Number(values['storm-publish-interval']),
  publishConnections: Math.max(1, Number(values['publish-connections'])),
  publishSeconds: Math.max(1, Number(values['publish-seconds'])),
  publishRate: Math.max(1, Number(values['publish-rate'])),
  targets: list(values.targets) as TargetName[],
  scenarios: new Set(list(values.scenarios) as ScenarioName[]),
  cpuProf: values['cpu-prof'],
  heapProf: values['heap-prof'],
  nodeFlags: list(values['node-flags'].replaceAll(' ', ',')),
  nuxtNodeFlags: list(values['nuxt-node-flags'].replaceAll(' ', ',')),
  timeoutMinutes: Number(values['timeout-minutes']),
}

/** Publishes before the measured ones: they bring the young generation back to its working size. */
export const WARM_UP_PUBLISHES = 5
/** The counting scenario's streams: count=50 messages at interval=20 ms. */
export const COUNT = 50
export const COUNT_INTERVAL_MS = 20
/** The publish token every server gets; the load never reads a private topic with it. */
export const PUBLISH_TOKEN = 'bench-token-0123456789'
/** HS256 secret for the subscriber tokens of the token-churn scenario (NUXT_NOTIFY_JWT_SECRET). */
export const JWT_SECRET = 'bench-jwt-secret-0123456789abcdef0123456789abcdef'
