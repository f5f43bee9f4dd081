/** The publish request: a JSON body within its size limit, of the schema of the shared PublishRequest. */
export { publishSchema, readPublishBody } from './body'
