import { type LookupAddress, type LookupOptions, lookup } from 'node:dns'
import { Agent } from 'node:https'
import { BlockList, isIP } from 'node:net'

/** Where a push endpoint may not point: loopback, private, link-local, shared, documentation, multicast, reserved. */
const NOT_PUBLIC_V4 = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const
const NOT_PUBLIC_V6 = [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64],
  ['2001::', 23], ['2001:db8::', 32], ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const

let lists: { notPublic: BlockList, mapped: BlockList } | undefined

/**
 * Made on first use, not at import: a runtime whose node:net has no BlockList (a Worker, where push is
 * off) still loads this module. IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is refused whatever it maps (a push
 * service gives none), from a list of its own: a BlockList checks an IPv4 address against its IPv6
 * rules in that form, so the range among the others would refuse every IPv4 address.
 */
function blockLists() {
  if (lists) return lists
  const notPublic = new BlockList()
  for (const [network, prefix] of NOT_PUBLIC_V4) notPublic.addSubnet(network, prefix, 'ipv4')
  for (const [network, prefix] of NOT_PUBLIC_V6) notPublic.addSubnet(network, prefix, 'ipv6')
  const mapped = new BlockList()
  mapped.addSubnet('::ffff:0:0', 96, 'ipv6')
  return (lists = { notPublic, mapped })
}

export function isPublicAddress(address: string): boolean {
  const family = isIP(address)
  if (family === 0) return false
  const { notPublic, mapped } = blockLists()
  if (family === 6 && mapped.check(address, 'ipv6')) return false
  return !notPublic.check(address, family === 4 ? 'ipv4' : 'ipv6')
}

const MAX_ENDPOINT_LENGTH = 2048

/** The URL's host without IPv6 brackets, lower-cased (as URL gives it). */
const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1')

/**
 * Why `endpoint` may not be a push endpoint, or undefined when it may: `https`, no credentials in it,
 * and a host that is a public address or a name that resolves only to public addresses, unless the
 * host is in `allowHosts`. It is a URL a user hands the server to POST to: nothing inside.
 */
export async function endpointProblem(endpoint: string, allowHosts: ReadonlySet<string>): Promise<string | undefined> {
  if (endpoint.length > MAX_ENDPOINT_LENGTH) return `"endpoint" is longer than ${MAX_ENDPOINT_LENGTH} characters.`
  let url: URL
  try {
    url = new URL(endpoint)
  }
  catch {
    return '"endpoint" is not a URL.'
  }
  if (url.protocol !== 'https:') return '"endpoint" must be an https URL.'
  if (url.username || url.password) return '"endpoint" may not carry credentials.'
  const host = hostOf(url)
  if (allowHosts.has(host)) return undefined
  if (isIP(host)) return isPublicAddress(host) ? undefined : '"endpoint" must be a public address (not loopback, private or link-local).'
  const addresses = await new Promise<LookupAddress[] | undefined>((resolve) => {
    lookup(host, { all: true }, (error, found) => resolve(error ? undefined : found))
  })
  if (!addresses?.length) return '"endpoint" names a host that does not resolve.'
  if (!addresses.every(({ address }) => isPublicAddress(address))) return '"endpoint" must be a public address (not loopback, private or link-local).'
  return undefined
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void

/**
 * The agent every push goes through: a name is resolved again when connecting, and a connection to
 * an address that is not public is refused (a name that changed its answer since it was checked),
 * unless the host is allowed. Addresses given as IPs were checked when stored and cannot change.
 */
export function publicOnlyAgent(allowHosts: ReadonlySet<string>): Agent {
  const checkedLookup = (hostname: string, options: LookupOptions, callback: LookupCallback) => {
    lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, [])
      if (!allowHosts.has(hostname) && !addresses.every(({ address }) => isPublicAddress(address))) {
        return callback(Object.assign(new Error(`push endpoint host resolves to an address that is not public`), { code: 'ENOTPUBLIC' }), [])
      }
      if (options.all) return callback(null, addresses)
      const first = addresses[0]!
      callback(null, first.address, first.family)
    })
  }
  return new Agent({ keepAlive: true, lookup: checkedLookup as never })
}
