/**
 * Calls `then` once the page has loaded (at once when it has, or outside a browser). A page's
 * consumers open during its start-up (a plugin's after a fetch, a page's on mount), which on a
 * cold first load spans longer than any debounce. Returns a function that stops waiting, or
 * undefined when `then` ran at once.
 */
export function afterPageLoad(then: () => void): (() => void) | undefined {
  if (typeof document !== 'object' || document.readyState === 'complete' || typeof window !== 'object') {
    then()
    return undefined
  }
  const loaded = () => then()
  window.addEventListener('load', loaded, { once: true })
  return () => window.removeEventListener('load', loaded)
}
