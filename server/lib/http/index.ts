/** Reading a request the same way in every route: 4xx bodies that name what was wrong, query schemas. */
export { badRequest, refusal, refuse } from './errors'
export { requestHeader } from './headers'
export { integerParam, readLastEventId, readValidatedQuery } from './query'
export { isOwnRoute, isStreamRoute, streamRouteOf } from './own-routes'
