/**
 * One lifecycle for every stream route: CORS and method, admission under the caps, the response
 * and its retry hint, release on every close path. The registry counts what is open and ends it
 * all on shutdown.
 */
export { acceptStreamRequest, openStream, type StreamSettings } from './lifecycle'
export { drainStreams, openStreams, type StreamLimits } from './registry'
