// The seed's Vue client connects to http://localhost:3001/notify/stream.
export { default } from '../../api/notify/stream'
