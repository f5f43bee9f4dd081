/** Open streams per route, for /api/notify/stats and for the leak tests. */
const openByRoute = new Map<string, number>()

/** Counts one open stream of `route`; the returned release is idempotent, so every close path may call it. */
export function trackConnection(route: string): () => void {
  openByRoute.set(route, (openByRoute.get(route) ?? 0) + 1)
  let released = false
  return () => {
    if (released) return
    released = true
    const left = (openByRoute.get(route) ?? 1) - 1
    if (left > 0) openByRoute.set(route, left)
    else openByRoute.delete(route)
  }
}

export function openConnections(): { total: number, byRoute: Record<string, number> } {
  const byRoute = Object.fromEntries(openByRoute)
  const total = Object.values(byRoute).reduce((sum, n) => sum + n, 0)
  return { total, byRoute }
}
