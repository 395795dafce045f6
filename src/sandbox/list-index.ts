// The list/search index: a stand-in for ClickHouse's persons table. It is kept sorted in list
// order (created_at DESC, id DESC) and follows the primary store with a configurable lag, so a
// deleted person can linger here (short pages, ghosts in `count`) and filters can see old values.

import type { IndexEntry, PersonRecord } from './model.js';

type IndexOp =
  | { seq: number; dueAt: number; op: 'upsert'; entry: IndexEntry }
  | { seq: number; dueAt: number; op: 'remove'; uuid: string };

export function indexEntryOf(person: PersonRecord): IndexEntry {
  return { uuid: person.uuid, createdAt: person.createdAt, properties: person.properties, distinctIds: person.distinctIds, ghost: false };
}

/** created_at DESC, then id (the UUID) DESC. */
export function listOrder(a: { createdAt: number; uuid: string }, b: { createdAt: number; uuid: string }): number {
  if (a.createdAt !== b.createdAt) return b.createdAt - a.createdAt;
  return a.uuid < b.uuid ? 1 : a.uuid > b.uuid ? -1 : 0;
}

export class ListIndex {
  private entries: IndexEntry[];
  private readonly byUuid = new Map<string, IndexEntry>();
  private readonly pending: IndexOp[] = [];
  private seq = 0;

  constructor(initial: IndexEntry[]) {
    this.entries = initial.slice().sort(listOrder);
    for (const entry of this.entries) this.byUuid.set(entry.uuid, entry);
  }

  /** Entries in list order, after applying every change due by `now`. */
  view(now: number): readonly IndexEntry[] {
    this.apply(now);
    return this.entries;
  }

  schedule(change: { op: 'upsert'; entry: IndexEntry } | { op: 'remove'; uuid: string }, dueAt: number): void {
    const op = { ...change, seq: this.seq++, dueAt } as IndexOp;
    let i = this.pending.length;
    while (i > 0 && this.pending[i - 1]!.dueAt > dueAt) i--;
    this.pending.splice(i, 0, op);
  }

  /**
   * Puts an entry in (or takes one out) at once, dropping changes still pending for that person:
   * a direct edit by a test wins over whatever the lag had in store.
   */
  putNow(entry: IndexEntry): void {
    this.cancelPending(entry.uuid);
    this.upsert(entry);
  }

  removeNow(uuid: string): void {
    this.cancelPending(uuid);
    if (this.byUuid.delete(uuid)) this.entries = this.entries.filter((e) => e.uuid !== uuid);
  }

  private cancelPending(uuid: string): void {
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const op = this.pending[i]!;
      if ((op.op === 'remove' ? op.uuid : op.entry.uuid) === uuid) this.pending.splice(i, 1);
    }
  }

  apply(now: number): void {
    if (this.pending.length === 0 || this.pending[0]!.dueAt > now) return;
    const removals = new Set<string>();
    while (this.pending.length > 0 && this.pending[0]!.dueAt <= now) {
      const op = this.pending.shift()!;
      if (op.op === 'remove') {
        if (this.byUuid.delete(op.uuid)) removals.add(op.uuid);
        continue;
      }
      if (removals.has(op.entry.uuid)) this.flushRemovals(removals);
      this.upsert(op.entry);
    }
    this.flushRemovals(removals);
  }

  private flushRemovals(removals: Set<string>): void {
    if (removals.size === 0) return;
    this.entries = this.entries.filter((e) => !removals.has(e.uuid));
    removals.clear();
  }

  private upsert(entry: IndexEntry): void {
    const existing = this.byUuid.get(entry.uuid);
    if (existing) {
      existing.properties = entry.properties;
      existing.distinctIds = entry.distinctIds;
      return;
    }
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (listOrder(this.entries[mid]!, entry) <= 0) lo = mid + 1;
      else hi = mid;
    }
    this.entries.splice(lo, 0, entry);
    this.byUuid.set(entry.uuid, entry);
  }
}
