/**
 * `runtimeConfig.notify`, read once per process. `useRuntimeConfig(event)` deep-clones the whole
 * config and re-reads the environment on every call, a large part of the server's CPU when clients
 * connect and leave quickly (bench/README.md, "Numbers behind the code"). The values come from
 * the environment at start-up, so a change needs a restart either way.
 */
export function useNotifyConfig() {
  return useRuntimeConfig().notify
}
