/** The Nitro preset this server was built with: `import.meta.preset` is replaced at build time. */
export const NITRO_PRESET: string = String(import.meta.preset ?? '')

/**
 * Presets where an invocation may land on any instance and an idle one is frozen or gone: the
 * in-memory broadcast bus reaches only the subscribers of the instance that took the publish.
 * Not cloudflare-durable: its one Durable Object holds every subscriber, and the history.
 */
export const SERVERLESS_PRESET = /^(?:vercel|netlify|cloudflare(?!-durable)|aws-lambda|aws-amplify|azure|firebase|deno-deploy)/.test(NITRO_PRESET)

/**
 * Workers run the module's top level outside any request, where timers (and I/O) are refused:
 * nothing that starts a timer may run in a Nitro plugin there; it waits for the first request.
 */
export const WORKER_PRESET = /^cloudflare/.test(NITRO_PRESET)
