import type { H3Error } from 'h3'
import { createError } from 'h3'
import { REFUSALS, type RefusalCode } from '#shared/utils/refusals'

const STATUS_MESSAGES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
}

/**
 * A refusal with its stable code (shared/utils/refusals.ts: the status comes from there) and an
 * English message naming what was wrong; `data` (a parameter's name) rides along. server/error.ts
 * writes `{ statusCode, statusMessage, code, message, data }`; Nitro never adds a stack to a 4xx.
 */
export function refusal(code: RefusalCode, message: string, data?: Record<string, unknown>): H3Error {
  const statusCode = REFUSALS[code]
  return createError({ statusCode, statusMessage: STATUS_MESSAGES[statusCode], message, data: { ...data, code } })
}

/** Throws `refusal(code, message, data)`. */
export function refuse(code: RefusalCode, message: string, data?: Record<string, unknown>): never {
  throw refusal(code, message, data)
}

/** 400 with a JSON body that names the parameter (code `request.bad`; `refuse` names a precise one). */
export function badRequest(message: string, data?: Record<string, unknown>): never {
  refuse('request.bad', message, data)
}
