/**
 * Redis names of the routed bus. Every name of a topic carries the topic as its hash tag
 * (`notify:{user:42}`), so the topic's history stream, its live channel and the slot clock it is
 * stamped with live in one cluster slot, on one master: one script can touch them all, and hot
 * topics spread over the masters as their slots do.
 */

export const SLOTS = 16384

/** CRC16/XMODEM, the hash Redis Cluster uses for key slots (polynomial 0x1021, init 0). */
const CRC_TABLE = (() => {
  const table = new Uint16Array(256)
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xFFFF : (crc << 1) & 0xFFFF
    table[byte] = crc
  }
  return table
})()

const encoder = new TextEncoder()

function crc16(text: string): number {
  let crc = 0
  for (const byte of encoder.encode(text)) crc = ((crc << 8) & 0xFFFF) ^ CRC_TABLE[((crc >> 8) ^ byte) & 0xFF]!
  return crc
}

/** The cluster slot of a key or sharded channel, hash tags included (as `CLUSTER KEYSLOT`). */
export function slotOf(key: string): number {
  const open = key.indexOf('{')
  if (open >= 0) {
    const close = key.indexOf('}', open + 1)
    if (close > open + 1) return crc16(key.slice(open + 1, close)) % SLOTS
  }
  return crc16(key) % SLOTS
}

let slotTags: string[] | undefined

/** A short hash tag for every slot, so a key can be put in a chosen slot (the slot clock, ticks). */
export function tagOfSlot(slot: number): string {
  if (!slotTags) {
    const tags: string[] = Array.from({ length: SLOTS })
    let found = 0
    for (let n = 0; found < SLOTS; n++) {
      const tag = n.toString(36)
      const s = crc16(tag) % SLOTS
      if (tags[s] === undefined) {
        tags[s] = tag
        found++
      }
    }
    slotTags = tags
  }
  return slotTags[slot]!
}

export interface TopicKeys {
  /** The topic's history stream; also the name of its sharded channel (keys and channels are apart). */
  stream: string
  channel: string
  /** The last id stamped in this slot (`<ms>-<n>`), which makes ids unique across the slot's topics. */
  clock: string
  slot: number
}

export function topicKeys(prefix: string, topic: string): TopicKeys {
  const stream = `${prefix}:{${topic}}`
  const slot = slotOf(stream)
  return { stream, channel: stream, clock: `${prefix}:clock:{${tagOfSlot(slot)}}`, slot }
}

/** The topic of a channel named by `topicKeys`, or undefined for any other channel. */
export function topicOfChannel(prefix: string, channel: string): string | undefined {
  const start = `${prefix}:{`
  return channel.startsWith(start) && channel.endsWith('}') ? channel.slice(start.length, -1) : undefined
}

/** The channel an instance's ticks (clock readings of one master) arrive on; in a slot of that master. */
export function tickChannel(prefix: string, slot: number, instanceId: string): string {
  return `${prefix}:tick:{${tagOfSlot(slot)}}:${instanceId}`
}

/**
 * The presence hash of a topic (server/lib/presence): hash-tagged by the topic like its stream, so it
 * lives in the topic's slot, on the master that already serves that topic.
 */
export function presenceKey(prefix: string, topic: string): string {
  return `${prefix}:presence:{${topic}}`
}
