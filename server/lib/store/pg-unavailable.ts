/**
 * What `pg` resolves to in a Workers build (nuxt.config.ts): the store is off there, and bundling the
 * real driver fails on its optional native part (pg-native). Any use says why instead of crashing oddly.
 */
const unavailable = new Proxy({}, {
  get() {
    throw new Error('PostgreSQL (pg) is not part of this Workers build: the store is off on the cloudflare presets')
  },
})

export default unavailable
