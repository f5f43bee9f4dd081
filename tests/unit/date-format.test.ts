import { describe, expect, it } from 'vitest'
import { formatClock, formatFull, formatWhen, type RelativeWords } from '../../composables/useDateFormat/format'

// The words come from the UI's messages in the app; here the same texts as zh.json and en.json.
const words: Record<string, RelativeWords> = {
  'zh-CN': { justNow: '刚刚', minutesAgo: minutes => `${minutes} 分钟前` },
  'en': { justNow: 'just now', minutesAgo: minutes => `${minutes} minute${minutes === 1 ? '' : 's'} ago` },
}

// Local times (the reader's time zone), so the expectations hold in any TZ the tests run in.
const now = new Date(2026, 11, 4, 14, 20, 3, 250).getTime()
const at = (...parts: [number, number, number, number, number, number?, number?]) => new Date(...parts).getTime()

describe('formatWhen, an item\'s time in the UI\'s language', () => {
  it.each([
    ['zh-CN', ['刚刚', '3 分钟前', '09:05', '00:00', '12月3日 23:59', '2025年1月1日 00:00']],
    ['en', ['just now', '3 minutes ago', '09:05', '00:00', 'Dec 3, 23:59', 'Jan 1, 2025, 00:00']],
  ])('%s: relative while recent, the time today, the date beyond, on a 24-hour clock', (language, expected) => {
    const words_ = words[language]!
    expect([
      formatWhen(now - 20_000, now, language, words_),
      formatWhen(now - 3 * 60_000 - 5000, now, language, words_),
      formatWhen(at(2026, 11, 4, 9, 5), now, language, words_),
      formatWhen(at(2026, 11, 4, 0, 0), now, language, words_),
      formatWhen(at(2026, 11, 3, 23, 59), now, language, words_),
      formatWhen(at(2025, 0, 1, 0, 0), now, language, words_),
    ]).toEqual(expected)
  })

  it('takes ISO strings (the inbox\'s `at`), says "just now" for a clock ahead, and nothing for no date', () => {
    expect(formatWhen(new Date(now - 61 * 60_000).toISOString(), now, 'en', words.en!)).toMatch(/^\d{2}:\d{2}$/)
    expect(formatWhen(now + 5000, now, 'zh-CN', words['zh-CN']!)).toBe('刚刚')
    expect(formatWhen('not a date', now, 'en', words.en!)).toBe('')
    expect(formatWhen(now - 60 * 60_000 + 1, now, 'en', words.en!)).toBe('59 minutes ago')
  })
})

describe('formatClock, a log line\'s time', () => {
  it.each([
    ['zh-CN', ['14:20:03', '14:20:03.250', '00:05:09', '12月3日 23:59:00', '2025年1月1日 00:00:00.007']],
    ['en', ['14:20:03', '14:20:03.250', '00:05:09', 'Dec 3, 23:59:00', 'Jan 1, 2025, 00:00:00.007']],
  ])('%s: 24-hour with seconds, the date before it when not today', (language, expected) => {
    expect([
      formatClock(now, now, language),
      formatClock(now, now, language, { ms: true }),
      // Just after midnight: `00`, never `24` (hour12: false renders 24:05:09 in some engines).
      formatClock(at(2026, 11, 4, 0, 5, 9), now, language),
      formatClock(at(2026, 11, 3, 23, 59, 0), now, language),
      formatClock(at(2025, 0, 1, 0, 0, 0, 7), now, language, { ms: true }),
    ]).toEqual(expected)
  })
})

describe('formatFull', () => {
  it('writes the whole moment in either language', () => {
    expect(formatFull(now, 'zh-CN')).toBe('2026年12月4日 14:20:03')
    expect(formatFull(now, 'en')).toBe('Dec 4, 2026, 14:20:03')
  })
})
