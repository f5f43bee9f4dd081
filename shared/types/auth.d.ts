// The session user of nuxt-auth-utils, typed for the whole app (server, pages, tests).
declare module '#auth-utils' {
  interface User {
    id: string
    name: string
  }
}

export {}
