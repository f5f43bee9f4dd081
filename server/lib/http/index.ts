/** Reading a request the same way in every route: 4xx bodies that name what was wrong, query schemas, JSON bodies within a limit. */
export { badRequest } from './errors'
export { readJson, readJsonBody, type JsonBodyOptions } from './body'
export { requestHeader } from './headers'
export { answerPrivately } from './private'
export { integerParam, readLastEventId, readValidatedQuery } from './query'
export { isOwnRoute, isStreamRoute, streamRouteOf } from './own-routes'
