const PAIR = /^(\d{1,15})-(\d{1,15})$/
const NUMBER = /^\d{1,15}$/

/**
 * Orders two event ids when both have a known ordered shape (`<ms>-<seq>`, as our server and Redis
 * streams send, or plain integers); undefined when they can't be compared. The SSE spec does not
 * make ids ordered, so the shared stream only relies on this to catch a joining tab up.
 */
export function compareEventIds(a: string, b: string): number | undefined {
  const pairA = PAIR.exec(a)
  const pairB = PAIR.exec(b)
  if (pairA && pairB) return Number(pairA[1]) - Number(pairB[1]) || Number(pairA[2]) - Number(pairB[2])
  if (NUMBER.test(a) && NUMBER.test(b)) return Number(a) - Number(b)
  return a === b ? 0 : undefined
}
