/** Data published on the `ticker` topic (the demo feed's shape, and what /live draws as cards). */
export interface TickerPayload {
  symbol: string
  price: number
}

/** Data published on the `logs` topic (the demo feed's shape, and what /live shows as a log tail). */
export interface LogPayload {
  /** One of LOG_LEVELS to be coloured and filtered; any other word is shown as it is. */
  level: string
  line: string
}

/** The log levels the tail colours and filters, least severe first. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const
export type LogLevel = typeof LOG_LEVELS[number]
