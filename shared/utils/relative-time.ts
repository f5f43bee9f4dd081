/** From the largest unit down: the first one the distance reaches is the one said ("3 minutes ago", not "180 seconds ago"). */
const UNITS: ReadonlyArray<readonly [Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
]

const formatters = new Map<string, Intl.RelativeTimeFormat>()

/**
 * How long ago (or until) `at` is from `now`, in `locale`'s words through Intl.RelativeTimeFormat:
 * `3分钟前`, `3 minutes ago`, `yesterday`, `now`. Only for the inbox's item times; a general date
 * formatter is another thing.
 */
export function formatTimeAgo(at: string | number, now: number, locale: string): string {
  let formatter = formatters.get(locale)
  if (!formatter) formatters.set(locale, formatter = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }))
  const distance = new Date(at).getTime() - now
  for (const [unit, ms] of UNITS) {
    if (Math.abs(distance) >= ms) return formatter.format(Math.trunc(distance / ms), unit)
  }
  return formatter.format(0, 'second')
}
