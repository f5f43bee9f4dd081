import type { Locale } from '~/utils/messages'

/**
 * The UI language, set up once for the app: shared state, kept in a cookie so the server renders
 * the language the client hydrates with, and the page's `lang` attribute. Chinese by default
 * (the seed's users), English one click away (`useLocale().toggleLocale`).
 */
export default defineNuxtPlugin(() => {
  const cookie = useCookie<Locale>('lang', { default: () => 'zh', sameSite: 'lax', maxAge: 60 * 60 * 24 * 365 })
  const locale = useState<Locale>('locale', () => (cookie.value === 'en' ? 'en' : 'zh'))
  watch(locale, (value) => {
    cookie.value = value
  })
  useHead({ htmlAttrs: { lang: computed(() => (locale.value === 'en' ? 'en' : 'zh-CN')) } })
})
