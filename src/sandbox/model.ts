// The records the sandbox keeps. Property and distinct-id containers are replaced, never mutated,
// so the lagging list index can hold cheap snapshots of them.

export type Properties = Readonly<Record<string, unknown>>;

/** One point of a person's property history (what properties_timeline reads). */
export interface PropertySnapshot {
  at: number;
  properties: Properties;
  /** How many events carried these properties (relevant_event_count). */
  events: number;
}

export interface PersonRecord {
  teamId: number;
  pk: number;
  uuid: string;
  createdAt: number;
  lastSeenAt: number | null;
  isIdentified: boolean;
  properties: Properties;
  /** In insertion order: distinctIds[0] is the oldest, where PostHog sends `$set` events. */
  distinctIds: readonly string[];
  /** Materialised on first use (seeded lazily so 100k persons start fast). */
  history: PropertySnapshot[] | null;
  /** Cached list-item JSON; cleared whenever properties or distinct ids change. */
  listJson?: string;
}

/** What the lagging "ClickHouse" list index knows about a person. */
export interface IndexEntry {
  uuid: string;
  createdAt: number;
  properties: Properties;
  distinctIds: readonly string[];
  /** Present in the index only, never in the primary store. */
  ghost: boolean;
}

export type PendingWrite =
  | { seq: number; dueAt: number; teamId: number; uuid: string; kind: 'set'; set: Properties }
  | { seq: number; dueAt: number; teamId: number; uuid: string; kind: 'unset'; keys: string[] }
  | { seq: number; dueAt: number; teamId: number; uuid: string; kind: 'split'; distinctIds: string[]; emptyProperties?: boolean }
  | { seq: number; dueAt: number; teamId: number; uuid: string; kind: 'delete' };

export interface ActivityUser {
  first_name: string;
  email: string | null;
  is_system?: boolean;
}

export interface ActivityChange {
  type: string;
  action: string;
  field: string | null;
  before: unknown;
  after: unknown;
}

export interface ActivityEntry {
  id: string;
  teamId: number;
  personUuid: string;
  itemId: string;
  activity: 'updated' | 'deleted' | 'split_person' | 'delete_property';
  user: ActivityUser;
  changes: ActivityChange[] | null;
  name: string | null;
  createdAt: number;
}

/** An event deletion queued by `delete_events` (what deletion_status reports). */
export interface DeletionStatusRow {
  teamId: number;
  personUuid: string;
  createdAt: number;
  completesAt: number;
}
