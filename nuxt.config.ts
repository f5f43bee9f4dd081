import { basename } from 'node:path'
import { fileURLToPath } from 'node:url'
import tailwindcss from '@tailwindcss/vite'
import type { NitroModule } from 'nitropack/types'
import type { PluginOption } from 'vite'

/**
 * `npm run build:cloudflare-durable` only: the preset exports its Durable Object class and reaches it
 * through the binding `$DurableObject`, but writes neither the binding nor the migration that creates
 * the class; here they go into the generated .output/server/wrangler.json, so `wrangler dev` and
 * `wrangler deploy` need nothing else. SQLite-backed (`new_sqlite_classes`): its storage keeps the
 * broadcast history (server/lib/broadcast/durable-bus.ts), on the Free plan too.
 */
/**
 * Files of `shared/` stay outside Nuxt's server bundle (Nitro bundles them, once for app and server).
 * One that the app imports by a relative path (the composable does, so it runs in plain Vue too) is
 * then written back as a path relative to the wrong folder, and Nitro can't find it; an absolute
 * path it can.
 */
const sharedImportsResolvable: PluginOption = {
  name: 'shared-imports-resolvable',
  configEnvironment: name => name === 'ssr' ? { build: { rolldownOptions: { makeAbsoluteExternalsRelative: false } } } : undefined,
}

const durableObjectWranglerConfig: NitroModule = {
  name: 'durable-object-wrangler-config',
  setup(nitro) {
    if (nitro.options.preset !== 'cloudflare-durable') return
    const wrangler = ((nitro.options.cloudflare ??= {}).wrangler ??= {})
    wrangler.durable_objects = { bindings: [{ name: '$DurableObject', class_name: '$DurableObject' }] }
    wrangler.migrations = [{ tag: 'v1', new_sqlite_classes: ['$DurableObject'] }]
  },
}

/**
 * The names of the `server/middleware/` files, as `#notify/server-middleware` for the server: the
 * fast path warns at start-up about one the stream lane would keep from the streams
 * (server/lib/fast-path/middleware-check.ts). Worked out when the server is bundled, from Nitro's scan.
 */
const serverMiddlewareList: NitroModule = {
  name: 'server-middleware-list',
  setup(nitro) {
    nitro.options.virtual['#notify/server-middleware'] = () => {
      const names = nitro.scannedHandlers.filter(handler => handler.middleware).map(handler => basename(handler.handler).replace(/\.[cm]?[jt]s$/, ''))
      return `export default ${JSON.stringify(names)}`
    }
  },
}

/**
 * The cloudflare presets bundle every dependency, and pg's optional native binding (pg-native) can't
 * be: there `pg` is a stub (the store is off on Workers, server/utils/store.ts).
 */
const workersWithoutPg: NitroModule = {
  name: 'workers-without-pg',
  setup(nitro) {
    if (!nitro.options.preset.startsWith('cloudflare')) return
    nitro.options.alias.pg = fileURLToPath(new URL('./server/lib/store/pg-unavailable.ts', import.meta.url))
  },
}

// Every value under `runtimeConfig.notify` can be set at run time with an env var:
// `notify.publishToken` <- NUXT_NOTIFY_PUBLISH_TOKEN, `notify.heartbeatMs` <- NUXT_NOTIFY_HEARTBEAT_MS, ...
export default defineNuxtConfig({
  // The v3-style layout (pages/, components/, composables/ at the top) on purpose: one small app.
  modules: ['@nuxt/eslint', '@nuxt/test-utils/module', '@nuxtjs/i18n', 'nuxt-auth-utils'],
  // A composable may be a folder (VueUse style: index.ts plus its small helpers); only index.ts is auto-imported.
  imports: { dirs: ['composables/*/index.ts'] },
  devtools: { enabled: false },

  app: {
    head: {
      meta: [
        { name: 'viewport', content: 'width=device-width, initial-scale=1' },
        { name: 'color-scheme', content: 'light dark' },
      ],
    },
  },
  css: ['~/assets/css/main.css'],

  runtimeConfig: {
    notify: {
      /** Bearer token for POST /api/notify/publish. Empty = publishing is refused (503). Never sent to the client. */
      publishToken: '',
      /** Bearer token of GET /api/notify/metrics and the /status page; empty = the publish token. Never sent to the client. */
      metricsToken: '',
      /** Comma-separated origins allowed to read the streams cross-origin; `*` = any (no credentials then). */
      corsOrigins: '*',
      /** Reconnect delay hint (ms) sent to EventSource clients in the `retry:` field. */
      retryMs: 3000,
      /** Comment frame on every broadcast stream this often (ms) so proxies keep idle connections open. */
      heartbeatMs: 15_000,
      /** Events kept for `Last-Event-ID` replay, per topic: at most this many, and none older than historyMaxAgeMs. */
      historySize: 1000,
      historyMaxAgeMs: 10 * 60_000,
      /** In-memory bus only: events kept across all topics; past it the oldest events of any topic go first. */
      historyMaxEvents: 100_000,
      /**
       * Redis bus: bytes of recent events kept in memory per instance (across the topics it carries), so
       * a client resuming with Last-Event-ID is answered without reading its gap from Redis. 0 = off.
       */
      resumeTailBytes: 16 * 1024 * 1024,
      /** Comma-separated topics (or `prefix*`) that need a grant to read; the rest are public. */
      privateTopics: 'user:*,admin:*',
      /** HS256 key of subscriber/publisher tokens, at least 32 bytes; shorter or empty = tokens refused. */
      jwtSecret: '',
      /** Lifetime (s) of the subscriber tokens this server mints (POST /api/notify/token). */
      tokenTtlSeconds: 900,
      /** A subscriber with more than this many bytes unread is disconnected (it resumes from history). */
      maxQueuedBytes: 1024 * 1024,
      /** Open streams per process, and per client IP; over either, 503 with Retry-After. 0 = no cap. */
      maxStreams: 20_000,
      maxStreamsPerIp: 100,
      /** A stream this old is ended cleanly (with a retry hint) so clients spread over instances. 0 = never. */
      maxLifetimeMs: 10 * 60_000,
      /** Take the client IP (for maxStreamsPerIp) from X-Forwarded-For; only behind a proxy that sets it. */
      trustProxy: false,
      /** Largest accepted publish body, in bytes. */
      bodyLimitBytes: 64 * 1024,
      /** Redis URL (redis://host:6379/0) for a bus shared by several instances; empty = in-memory bus. */
      redisUrl: '',
      /** Comma-separated `host:port` seed nodes of a Redis Cluster; the bus then runs on it (routed by topic). */
      redisClusterNodes: '',
      /**
       * Prefix of the Redis bus' keys and channels (a stream and a sharded channel per topic; each
       * instance takes only its clients' topics), on one Redis and on a cluster alike.
       */
      redisKeyPrefix: 'notify',
      /**
       * A publish to a Redis master with replicas waits this long for one to confirm it, else 503.
       * 0 = answer without waiting (an acknowledged event may then be lost when its master fails).
       */
      redisReplicaWaitMs: 1000,
      /**
       * The system of record (server/lib/store): empty = SQLite in .data/notify.sqlite, `file:PATH` =
       * SQLite elsewhere, `postgres://user:pass@host/db` = PostgreSQL (for several instances).
       */
      databaseUrl: '',
      /**
       * Comma-separated topics (or `prefix*`) whose events are committed to the store before they are
       * acknowledged, and replayed from it past the live history; empty = none.
       */
      storedTopics: 'user:*',
      /** Stored topics' events are kept this many days, then swept. */
      retentionDays: 90,
      /**
       * Web Push (docs/push.md): the VAPID key pair (`npm run vapid` prints one) and the contact the push
       * services may reach (`mailto:` or `https:`). Without all three, push is off. Never sent to the
       * client but the public key.
       */
      vapidPublicKey: '',
      vapidPrivateKey: '',
      vapidSubject: '',
      /** Comma-separated hosts a push endpoint may name although they are not public addresses (tests: `127.0.0.1`). */
      pushAllowHosts: '',
      /** How long a push service keeps a message for a device that is offline (the TTL header), in seconds. */
      pushTtlSeconds: 24 * 60 * 60,
      /** Server-side demo publisher feeding the `ticker` and `logs` topics of the /live page. */
      demoPublisher: true,
      demoIntervalMs: 2000,
      /** Each response names the steps of Nitro's pipeline that ran for it (`x-notify-pipeline`): for the tests. */
      tracePipeline: false,
    },
    /** nuxt-auth-utils: the sealed session cookie; its password comes from NUXT_SESSION_PASSWORD. */
    session: { maxAge: 60 * 60 * 24 * 7 },
  },
  srcDir: '.',

  // Security headers: server/lib/fast-path/security-headers.ts (a `/**` route rule cost every stream a deep merge).
  devServer: { port: 3001 },
  compatibilityDate: '2026-11-01',

  nitro: {
    // SSE must never be compressed or buffered on the way out.
    compressPublicAssets: false,
    // server/lib/** imports what it uses: no auto-import is injected there, so a lib file that
    // leans on one fails (the tests run every path) instead of quietly depending on the facade.
    imports: { exclude: [/[\\/]server[\\/]lib[\\/]/] },
    // Only read by the aws-lambda preset (`npm run build:aws-lambda`): without response streaming
    // Lambda buffers the whole response, which an event stream never finishes. On by default;
    // NITRO_AWS_LAMBDA_STREAMING=false builds the buffered variant.
    awsLambda: { streaming: process.env.NITRO_AWS_LAMBDA_STREAMING !== 'false' },
    // Only read by the cloudflare presets: writes .output/server/wrangler.json, so `wrangler dev` and
    // `wrangler deploy` get these flags. enable_request_signal: Request.signal aborts when the
    // client leaves (one of the two ways a Worker learns it; the other is the body's cancel).
    cloudflare: {
      deployConfig: true,
      nodeCompat: true,
      wrangler: { compatibility_flags: ['nodejs_compat', 'enable_request_signal'] },
    },
    // cloudflare-durable only (`npm run build:cloudflare-durable`): the broadcast runs in the preset's
    // Durable Object; its binding and SQLite-backed class go into the generated wrangler.json.
    modules: [durableObjectWranglerConfig, serverMiddlewareList, workersWithoutPg],
  },
  vite: { plugins: [tailwindcss(), sharedImportsResolvable] },
  typescript: { strict: true },
  hooks: {
    // API errors without the request URL (it can carry private topics and ?access_token=), run
    // before Nuxt's own handler (which still renders the error page of pages).
    'nitro:config'(config) {
      config.errorHandler = [fileURLToPath(new URL('./server/error.ts', import.meta.url)), ...[config.errorHandler ?? []].flat()]
    },
  },

  eslint: { config: { stylistic: true } },

  // The UI language: Chinese by default (the seed's users), English one click away. The choice is kept
  // in the `lang` cookie, so the server renders the language the client hydrates with; URLs stay the
  // same in both languages. Messages (assets/i18n/locales/*.json) load only for the language shown.
  i18n: {
    // The module's own `i18n/` folder, under assets/ so the top level keeps its shape (no new dir).
    restructureDir: 'assets/i18n',
    locales: [
      { code: 'zh', language: 'zh-CN', name: '中文', file: 'zh.json' },
      { code: 'en', language: 'en', name: 'English', file: 'en.json' },
    ],
    defaultLocale: 'zh',
    strategy: 'no_prefix',
    // Only the cookie decides: the browser's language is not asked (plugins/i18n-default-locale.ts).
    detectBrowserLanguage: { useCookie: true, cookieKey: 'lang' },
  },
})
