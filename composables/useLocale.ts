import { messages, type Locale, type MessageKey } from '~/utils/messages'

/**
 * The UI language: Chinese by default (the seed's users), English one click away. Kept in a cookie
 * so the server renders the same language the client hydrates with.
 */
export function useLocale() {
  const locale = useCookie<Locale>('lang', { default: () => 'zh', sameSite: 'lax', maxAge: 60 * 60 * 24 * 365 })
  const t = (key: MessageKey, params: Record<string, string | number> = {}) =>
    messages[locale.value === 'en' ? 'en' : 'zh'][key].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ''))
  const toggleLocale = () => {
    locale.value = locale.value === 'en' ? 'zh' : 'en'
  }
  useHead({ htmlAttrs: { lang: computed(() => (locale.value === 'en' ? 'en' : 'zh-CN')) } })
  return { locale, t, toggleLocale }
}
