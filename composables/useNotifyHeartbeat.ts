/** useState key of the broadcast stream's heartbeat interval (set by plugins/notify-heartbeat.server.ts). */
export const NOTIFY_HEARTBEAT_STATE = 'notify:heartbeatMs'

/**
 * The server's heartbeat interval (ms) for `useEventStream({ heartbeat })`: read from the private
 * runtime config on the server and carried to the client in the payload, so one env var
 * (`NUXT_NOTIFY_HEARTBEAT_MS`) sets both ends.
 */
export function useNotifyHeartbeatMs(): number {
  return useState<number>(NOTIFY_HEARTBEAT_STATE, () => 15_000).value
}
