/** The inbox's read state, per user, in Nitro storage. */
export { markReadUpTo, readUpTo } from './read-state'
