import { NOTIFY_HEARTBEAT_STATE } from '~/composables/useNotifyHeartbeat'

/** Every server render hands the heartbeat interval to the client, whichever page it renders first. */
export default defineNuxtPlugin(() => {
  useState<number>(NOTIFY_HEARTBEAT_STATE, () => useRuntimeConfig().notify.heartbeatMs)
})
