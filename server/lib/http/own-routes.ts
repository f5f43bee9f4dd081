/** This app's own server routes (API answers and event streams): none of them renders a page. */
const OWN_ROUTES = /^\/(?:api|notify)\//

export function isOwnRoute(path: string): boolean {
  return OWN_ROUTES.test(path)
}
