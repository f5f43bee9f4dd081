/** Who may do what. Today: the publish token (publishing, and the runtime part of the stats). */
export { requirePublishToken } from './publish-token'
export { tokensMatch } from './publish-token'
