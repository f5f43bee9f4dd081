// Runs the built Vercel function the way Vercel's Node launcher does (launcherType "Nodejs",
// shouldAddHelpers false): its default export is a `(req, res)` listener on a plain Node server.
// Usage: node vercel.mjs <path to __fallback.func/index.mjs>   (PORT, HOST from env)
import { createServer } from 'node:http'
import { pathToFileURL } from 'node:url'

const { default: handler } = await import(pathToFileURL(process.argv[2]).href)
const server = createServer((req, res) => handler(req, res))
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1', () => console.log(`vercel host on ${process.env.PORT}`))
