import { matchesAny } from './topic-patterns'

/** A topic matching one of the private patterns needs a grant to read; every other topic is public. */
export function isPrivateTopic(topic: string, privateTopics: readonly string[]): boolean {
  return matchesAny(topic, privateTopics)
}
