/**
 * The app's one way of writing a moment, for a given UI language (a BCP 47 tag such as `zh-CN` or
 * `en`): never the browser's own locale, and always a 24-hour clock. Plain functions (no Vue, no
 * i18n) so the unit tests run them in Node with either language; composables/useDateFormat puts
 * the UI's language and its words in. Times are in the reader's time zone.
 */

/** The words of a relative time, from the UI's messages: `刚刚` / `just now`, `3 分钟前` / `3 minutes ago`. */
export interface RelativeWords {
  justNow: string
  minutesAgo: (minutes: number) => string
}

/** Below this a moment is "just now"; below an hour it is minutes ago. */
const JUST_NOW_MS = 60_000
const RECENT_MS = 60 * 60_000

type Day = 'none' | 'date' | 'year'

// Intl.DateTimeFormat is costly to build and a history formats hundreds of rows: one per language and shape.
const formats = new Map<string, Intl.DateTimeFormat>()
function formatter(language: string, day: Day, seconds: boolean): Intl.DateTimeFormat {
  const key = `${language}|${day}|${seconds}`
  let found = formats.get(key)
  if (!found) {
    // hourCycle h23, not hour12: false, which some engines render as `24:05` just after midnight.
    const options: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
    if (seconds) options.second = '2-digit'
    if (day !== 'none') Object.assign(options, { month: 'short', day: 'numeric' })
    if (day === 'year') options.year = 'numeric'
    formats.set(key, found = new Intl.DateTimeFormat(language, options))
  }
  return found
}

const toDate = (at: number | string | Date) => new Date(typeof at === 'number' ? at : new Date(at).getTime())

/** Today: no date; this year: month and day; before: the year too. */
function dayOf(date: Date, now: Date): Day {
  if (date.getFullYear() !== now.getFullYear()) return 'year'
  return date.getMonth() === now.getMonth() && date.getDate() === now.getDate() ? 'none' : 'date'
}

/**
 * When something happened, as a person reads an item: relative while recent (`刚刚`, `3 分钟前`),
 * the time of day today (`14:20`), the date beyond (`12月3日 14:20`, `Dec 3, 14:20`; with the year
 * when not this year). A moment ahead of `now` (another machine's clock) is "just now".
 */
export function formatWhen(at: number | string | Date, now: number, language: string, words: RelativeWords): string {
  const date = toDate(at)
  if (Number.isNaN(date.getTime())) return ''
  const age = now - date.getTime()
  if (age < JUST_NOW_MS) return words.justNow
  if (age < RECENT_MS) return words.minutesAgo(Math.floor(age / 60_000))
  return formatter(language, dayOf(date, new Date(now)), false).format(date)
}

/**
 * A log line's or an event's clock time: `14:20:03` (`14:20:03.123` with `ms`), with the date
 * before it when not today. Never relative: a log is read by its times, and its rows stay as written.
 */
export function formatClock(at: number | string | Date, now: number, language: string, options: { ms?: boolean } = {}): string {
  const date = toDate(at)
  if (Number.isNaN(date.getTime())) return ''
  const text = formatter(language, dayOf(date, new Date(now)), true).format(date)
  // The clock ends the text in both languages (`12月3日 14:20:03`, `Dec 3, 14:20:03`).
  return options.ms ? `${text}.${String(date.getMilliseconds()).padStart(3, '0')}` : text
}

/** The whole moment with seconds, for a tooltip: `2026年12月4日 14:20:03`, `Dec 4, 2026, 14:20:03`. */
export function formatFull(at: number | string | Date, language: string): string {
  const date = toDate(at)
  return Number.isNaN(date.getTime()) ? '' : formatter(language, 'year', true).format(date)
}
