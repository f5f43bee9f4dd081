import { messages, type Locale, type MessageKey } from '~/utils/messages'

/** The UI language (set up once in plugins/locale.ts), a translator for it, and the switch. */
export function useLocale() {
  const locale = useState<Locale>('locale')
  const t = (key: MessageKey, params: Record<string, string | number> = {}) =>
    messages[locale.value === 'en' ? 'en' : 'zh'][key].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ''))
  const toggleLocale = () => {
    locale.value = locale.value === 'en' ? 'zh' : 'en'
  }
  return { locale, t, toggleLocale }
}
