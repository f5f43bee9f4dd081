/** Written at build time by nuxt.config.ts (`serverMiddlewareList`): the names of the `server/middleware/` files. */
declare module '#notify/server-middleware' {
  const names: readonly string[]
  export default names
}
