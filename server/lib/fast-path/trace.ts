import type { H3Event } from 'h3'
import type { NitroApp } from 'nitropack/types'
import { defineEventHandler } from 'h3'
import { useRuntimeConfig } from 'nitropack/runtime'
import { TRACE_HEADER } from './pipeline-table'

interface Traced { notifyPipeline?: string[] }

function mark(event: H3Event, step: string): void {
  const steps = (event.context as Traced).notifyPipeline
  if (steps && !steps.includes(step)) steps.push(step)
}

/**
 * NUXT_NOTIFY_TRACE_PIPELINE=true: every response says which steps of Nitro's pipeline ran for it,
 * for tests/e2e/fast-path.test.ts to hold the table to the production build. Off by default, and then
 * not installed at all: it wraps every layer of the h3 app and costs each request a few closures.
 * Installed last, so it sees the pipeline as the fast path left it.
 */
export function installTrace(nitroApp: NitroApp): void {
  const shared = useRuntimeConfig()
  nitroApp.hooks.beforeEach(({ name, args }) => {
    if (name !== 'request' && name !== 'beforeResponse') return
    const event = args.find(arg => typeof (arg as H3Event | undefined)?.path === 'string') as H3Event | undefined
    if (event) mark(event, `hook:${name}`)
  })
  const stack = nitroApp.h3App.stack
  stack.forEach((layer, index) => {
    // Nitro's order: the route-rules handler first, the router last, the middleware between.
    const step = index === 0 ? 'route-rules' : index === stack.length - 1 ? 'router' : 'middleware'
    const handler = layer.handler
    layer.handler = defineEventHandler((event) => {
      mark(event, step)
      return handler(event)
    })
  })
  const inner = nitroApp.h3App.handler
  nitroApp.h3App.handler = defineEventHandler((event) => {
    const steps: string[] = (event.context as Traced).notifyPipeline = []
    const res = event.node.res
    const writeHead = res.writeHead
    // Node writes the head from here, for an explicit writeHead and for the first write alike.
    res.writeHead = function (this: typeof res, ...args: Parameters<typeof writeHead>) {
      if (event.context.nuxtI18n !== undefined) mark(event, 'i18n')
      if (res.getHeader('x-frame-options') !== undefined) mark(event, 'security-headers')
      if (event.context.nitro?.runtimeConfig === shared) mark(event, 'shared-config')
      if (!res.headersSent) res.setHeader(TRACE_HEADER, steps.join(' '))
      return writeHead.apply(this, args)
    } as typeof writeHead
    return inner(event)
  })
}

/** The stream lane's call of the router, which no layer of the h3 app sees. */
export function markRouter(event: H3Event): void {
  mark(event, 'router')
}
