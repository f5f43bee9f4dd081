/**
 * The server's side of the conversation, as options with defaults (our server's): how topics join
 * into one URL, which payload field names an event's topic, where the cursor goes. Everything the
 * composable knows of a particular server's query names is here, so it works against another SSE
 * server by options alone.
 */

/** The protocol options of `useEventStream` (see `UseEventStreamOptions`), every one resolved. */
export interface StreamProtocol {
  topicParam: string
  topicSeparator: string | undefined
  topicField: string | ((payload: unknown, event: string) => string | undefined)
  cursorParam: string | false
  lastEventIdHeader: boolean
  heartbeatParam: string | false
  tokenParam: string
}

/** Our server: `?topic=a&topic=b&lastEventId=<id>&heartbeat=event`, payloads `{ topic, ... }`. */
export const DEFAULT_PROTOCOL: Readonly<StreamProtocol> = {
  topicParam: 'topic',
  topicSeparator: undefined,
  topicField: 'topic',
  cursorParam: 'lastEventId',
  lastEventIdHeader: false,
  heartbeatParam: 'heartbeat',
  tokenParam: 'access_token',
}

export function resolveProtocol(options: Partial<StreamProtocol>): StreamProtocol {
  const protocol = { ...DEFAULT_PROTOCOL }
  for (const name of Object.keys(protocol) as Array<keyof StreamProtocol>) {
    if (options[name] !== undefined) Object.assign(protocol, { [name]: options[name] })
  }
  return protocol
}

/** Default `parse`: JSON when it is JSON, the text itself otherwise. Never throws. */
export function parseJsonOrText(raw: string): unknown {
  try {
    return JSON.parse(raw)
  }
  catch {
    return raw
  }
}

/** The topics a URL asks for, in order, repeats included. */
export function topicsOf(url: URL, protocol: StreamProtocol): string[] {
  const values = url.searchParams.getAll(protocol.topicParam)
  const separator = protocol.topicSeparator
  return separator ? values.flatMap(value => value.split(separator)).filter(Boolean) : values
}

/** The cursor a URL carries (a server-rendered page's position), if any. */
export function cursorOf(url: URL, protocol: StreamProtocol): string | undefined {
  return protocol.cursorParam ? url.searchParams.get(protocol.cursorParam) ?? undefined : undefined
}

/**
 * The topic of an event, from its raw data; undefined for an event that names none (a control
 * event such as our `reset`): such an event reaches every consumer of a union stream.
 */
export function eventTopic(event: { type: string, data: string }, protocol: StreamProtocol, parse: (raw: string, event: string) => unknown): string | undefined {
  const field = protocol.topicField
  if (typeof field === 'function') return field(parse(event.data, event.type), event.type)
  if (!event.data.startsWith('{')) return undefined
  try {
    const topic = (JSON.parse(event.data) as Record<string, unknown>)[field]
    return typeof topic === 'string' ? topic : undefined
  }
  catch {
    return undefined
  }
}

/** Query parameters a union stream sets itself; any other one keeps a stream apart. */
function unionParams(protocol: StreamProtocol): string[] {
  return [protocol.topicParam, protocol.cursorParam, protocol.heartbeatParam].filter((name): name is string => !!name)
}

/**
 * The key of the union stream `url` belongs to: the same origin, path and other query parameters,
 * the same transport, credentials mode and protocol. Only a stream with topics and the browser's
 * own credentials (cookies; no per-consumer token or headers) can be a union; undefined otherwise.
 */
export function unionKey(url: URL, transport: string, withCredentials: boolean, protocol: StreamProtocol): string | undefined {
  if (!url.searchParams.has(protocol.topicParam)) return undefined
  const base = new URL(url.href)
  for (const name of unionParams(protocol)) base.searchParams.delete(name)
  base.searchParams.sort()
  // Consumers that name topics or cursors differently can't read one URL.
  const names = [protocol.topicParam, protocol.topicSeparator ?? '', protocol.cursorParam || '', protocol.heartbeatParam || ''].join(',')
  return `union:${transport}:${withCredentials ? 'credentials' : 'same-origin'}:${names}:${base.href}`
}

export interface StreamUrlParts {
  /** A union stream's topics, replacing the URL's own. */
  topics?: readonly string[]
  /** A union stream's heartbeat query value, replacing the URL's own. */
  heartbeat?: string
  /** Where to resume from. */
  from?: string
  /** A token for a transport that can send no header. */
  accessToken?: string
}

/** The URL to connect to: `base` as given when there is nothing to add, same-origin ones kept relative. */
export function streamUrl(base: string, parts: StreamUrlParts, protocol: StreamProtocol): string {
  const { topics, heartbeat, from, accessToken } = parts
  if (!(from && protocol.cursorParam) && !accessToken && !topics) return base
  const here = globalThis.location?.href
  const target = new URL(base, here)
  if (topics) {
    target.searchParams.delete(protocol.topicParam)
    if (protocol.heartbeatParam) target.searchParams.delete(protocol.heartbeatParam)
    if (protocol.topicSeparator) target.searchParams.set(protocol.topicParam, topics.join(protocol.topicSeparator))
    else for (const topic of topics) target.searchParams.append(protocol.topicParam, topic)
    if (heartbeat && protocol.heartbeatParam) target.searchParams.set(protocol.heartbeatParam, heartbeat)
  }
  // A new EventSource can't send Last-Event-ID itself: the cursor goes in the query.
  if (from && protocol.cursorParam) target.searchParams.set(protocol.cursorParam, from)
  // EventSource can send no header: a URL token is the last resort (it ends up in access logs).
  if (accessToken) target.searchParams.set(protocol.tokenParam, accessToken)
  return here && target.origin === new URL(here).origin ? `${target.pathname}${target.search}` : target.href
}
