import { createError } from 'h3'

/** 400 with a JSON body that names the parameter; Nitro never adds a stack to a 4xx. */
export function badRequest(message: string, data?: Record<string, unknown>): never {
  throw createError({ statusCode: 400, statusMessage: 'Bad Request', message, data })
}
