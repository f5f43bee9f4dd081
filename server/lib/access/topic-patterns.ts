import { z } from 'zod'

/**
 * A topic name, or a prefix ending in `*` (`user:*`; `*` alone is every topic). Matching is exact
 * text or prefix: `*` anywhere else is not a wildcard, and is refused where patterns are read.
 */
export const TOPIC_PATTERN = /^(?:[\w.:-]{1,128}|[\w.:-]{0,127}\*)$/

export const topicPatternSchema = z.string().regex(TOPIC_PATTERN, 'a topic name or a "prefix*" pattern')

export function matchesPattern(topic: string, pattern: string): boolean {
  return pattern.endsWith('*') ? topic.startsWith(pattern.slice(0, -1)) : topic === pattern
}

export function matchesAny(topic: string, patterns: readonly string[]): boolean {
  for (const pattern of patterns) {
    if (matchesPattern(topic, pattern)) return true
  }
  return false
}

/**
 * `NUXT_NOTIFY_PRIVATE_TOPICS`-style text: comma-separated patterns, blanks ignored. Throws on an
 * entry that is not a pattern, so a typo in the config can't silently make a topic public.
 */
export function parsePatternList(text: string): string[] {
  const patterns = text.split(',').map(entry => entry.trim()).filter(Boolean)
  for (const pattern of patterns) {
    if (!TOPIC_PATTERN.test(pattern)) throw new Error(`"${pattern}" is not a topic name or a "prefix*" pattern`)
  }
  return patterns
}
