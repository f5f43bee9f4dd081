/** Refusals with their stable code (shared/utils/refusals.ts), for routes and plugins: `throw`-free `refuse('session.missing', '...')`. */
export { refusal, refuse } from '#server/lib/http'
