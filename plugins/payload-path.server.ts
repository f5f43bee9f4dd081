/**
 * Nuxt serialises the rendered URL into every page's payload (`payload.path`), query included: a
 * page opened with `?access_token=...` (or private topics) would carry it in its HTML. The client
 * needs only the path (its router takes the query from `window.location`), so the payload keeps the
 * path alone. An error page's URL is the error's own (server/error.ts has taken the query out).
 */
export default defineNuxtPlugin({
  name: 'payload-path-without-query',
  enforce: 'pre',
  setup(nuxtApp) {
    const path = nuxtApp.payload.path
    if (nuxtApp.ssrContext?.error || !path?.includes('?')) return
    nuxtApp.payload.path = path.slice(0, path.indexOf('?'))
  },
})
