/**
 * Chinese unless the reader picked English. @nuxtjs/i18n, when the `lang` cookie is absent, would take
 * the browser's language (Accept-Language on the server, navigator.languages on the client) and it has
 * no option to read only the cookie; so the app's first language choice, once per render, falls back
 * to the default here. Later switches (the header's button) pass through untouched.
 */
export default defineNuxtPlugin({
  name: 'i18n-default-locale',
  // Before @nuxtjs/i18n's own plugins: they make the first choice while they set up.
  enforce: 'pre',
  setup(nuxtApp) {
    let first = true
    nuxtApp.hook('i18n:beforeLocaleSwitch', (switching) => {
      if (!first) return
      first = false
      const i18n = nuxtApp.$i18n
      if (!i18n.getLocaleCookie()) switching.newLocale = i18n.defaultLocale
    })
  },
})
