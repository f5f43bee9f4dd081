/**
 * `runtimeConfig.notify`, read once per process. `useRuntimeConfig(event)` deep-clones the whole
 * config and re-reads the environment on every call: measured at about 150 µs and 55 KB of garbage
 * per request, a quarter of the server's CPU when clients connect and leave quickly. The values
 * come from the environment at start-up, so a change needs a restart either way.
 */
export function useNotifyConfig() {
  return useRuntimeConfig().notify
}
