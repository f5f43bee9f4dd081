// Not under shared/utils (auto-imported): the app's own name for it is useInbox's re-export, one auto-import, no duplicate.
/** A notification's text: the string it carries, its `text` field, or its JSON. The inbox shows it, a push carries it. */
export function notificationText(data: unknown): string {
  if (typeof data === 'string') return data
  if (data && typeof data === 'object' && 'text' in data && typeof data.text === 'string') return data.text
  return JSON.stringify(data)
}
