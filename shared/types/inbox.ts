/**
 * The inbox's wire contract: what `GET /api/inbox` answers, what `PATCH /api/inbox/<id>`,
 * `POST /api/inbox/read-all` and `POST /api/inbox/seen` take, and the `inbox` stream event that
 * tells a person's other tabs and devices about every change. One definition for the server, the
 * pages and the tests.
 */

/** The tabs of the inbox: unread (not read, not archived), all (not archived), archived. */
export type InboxStatus = 'unread' | 'all' | 'archived'

/** One notification of the inbox: an event published to the person's own topic `user:<id>`. */
export interface InboxItem {
  /** The event id, `<ms>-<seq>`: the item's id in every route. */
  id: string
  /** The SSE event name it was published with. */
  event: string
  /** What the publisher sent. */
  data: unknown
  /** Who published it (the publisher's name: a token's `sub`, `admin`), or null when unknown. */
  sender: string | null
  /** ISO time the server accepted it. */
  at: string
  /** ISO times, or null: first shown to the person, marked read, archived. */
  seenAt: string | null
  readAt: string | null
  archivedAt: string | null
}

/** What is counted: `unread` and `unseen` among the items not archived; `total` is every item, archived included. */
export interface InboxCounts {
  unread: number
  unseen: number
  total: number
}

/** Answer of `GET /api/inbox?status=&before=&limit=`. */
export interface InboxPage {
  /** Newest first. */
  items: InboxItem[]
  counts: InboxCounts
  /** The `before=` of the next (older) page, or null when this page is the last. */
  next: string | null
  /**
   * The newest event id of the live stream when this page was read: the person's stream resumes
   * from here (`lastEventId=cursor`), so nothing published meanwhile falls between the two.
   */
  cursor: string | null
}

/** Body of `PATCH /api/inbox/<id>`: at least one of the two. */
export interface InboxPatch {
  read?: boolean
  archived?: boolean
}

/** Body of `POST /api/inbox/seen`: these ids, or every item up to (and including) this id. */
export type InboxSeenRequest = { ids: string[] } | { upTo: string }

/** Body of `POST /api/inbox/read-all` (optional): only the items up to this id, so one that arrives meanwhile stays unread. */
export interface InboxReadAllRequest {
  upTo?: string
}

/** What one change set on its items: true sets the time, false clears it. */
export interface InboxChangeSet {
  seen?: true
  read?: boolean
  archived?: boolean
}

/**
 * Data of the `inbox` stream event on `user:<id>`, sent after every change of that person's
 * inbox (never stored, never an item). Answer of the three writing routes too.
 */
export interface InboxChange {
  /** The items changed (at most INBOX_CHANGE_MAX_IDS). */
  ids: string[]
  /** Read-all with more changes than that: every item up to this id, instead of `ids`. */
  upTo?: string
  /** The changes, applied with time `at`. */
  set: InboxChangeSet
  /** ISO time of the change. */
  at: string
  /** The counts after it. */
  counts: InboxCounts
}
