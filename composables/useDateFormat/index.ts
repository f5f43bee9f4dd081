import { useIntervalFn } from '@vueuse/core'
import { formatClock, formatFull, formatWhen } from './format'

export { formatClock, formatFull, formatWhen, type RelativeWords } from './format'

/**
 * Dates and times in the UI's language (the i18n locale, never the browser's) on a 24-hour clock:
 * `when` for an item (`3 分钟前`, `14:20`, `12月3日 14:20`), `clock` for a log line or an event
 * (`14:20:03`), `full` for a tooltip. (Ours, not VueUse's `useDateFormat`, which formats by pattern.)
 *
 * Every text is empty until the component is mounted: the server renders in its own time zone, and
 * a different text in the reader's would be a hydration mismatch. `when` moves on by itself (the
 * minutes of `3 分钟前`), on a timer that stops with the component.
 */
export function useDateFormat() {
  const { t, localeProperties } = useI18n()
  const mounted = ref(false)
  // `when`'s clock: a tick every 15 s moves `3 分钟前` on, from mount (never on the server) to unmount.
  const now = shallowRef(Date.now())
  const ticking = useIntervalFn(() => {
    now.value = Date.now()
  }, 15_000, { immediate: false })
  onMounted(() => {
    now.value = Date.now()
    mounted.value = true
    ticking.resume()
  })
  const language = computed(() => localeProperties.value.language ?? localeProperties.value.code)

  // Literal keys, so tests/unit/locales.test.ts sees each one; the plural form by the UI's language.
  const minutesAgo = (minutes: number) => new Intl.PluralRules(language.value).select(minutes) === 'one'
    ? t('time.minutesAgo.one', { count: minutes })
    : t('time.minutesAgo.other', { count: minutes })

  return {
    /** An item's time: relative while recent, the time today, the date beyond. */
    when: (at: number | string | Date) => mounted.value
      ? formatWhen(at, now.value, language.value, { justNow: t('time.justNow'), minutesAgo })
      : '',
    /** A log line's clock time, `.123` with `ms`, the date before it when not today. */
    clock: (at: number | string | Date, options?: { ms?: boolean }) => mounted.value
      ? formatClock(at, Date.now(), language.value, options)
      : '',
    /** The whole moment with seconds. */
    full: (at: number | string | Date) => (mounted.value ? formatFull(at, language.value) : ''),
    /** False until mounted (every text is empty then): a `v-memo` of rows that show a time lists it. */
    mounted,
    /** The UI's language as a BCP 47 tag, for Intl formatting of other things (numbers). */
    language,
  }
}
