// How a queued write changes the primary store once it is due, like PostHog's ingestion
// pipeline applying a `$set`, a `$delete_person_property`, a split task or an async deletion.

import { appendHistory } from './history.js';
import type { PendingWrite, PersonRecord, Properties } from './model.js';
import { indexEntryOf } from './list-index.js';
import { uuidFromDistinctId } from './random.js';
import type { TeamState } from './team.js';

/** What applying a write needs of the store (SandboxStore is one). */
export interface WriteTarget {
  readonly seed: number;
  readonly listLagMs: number;
  insert(team: TeamState, person: PersonRecord, indexDueAt: number): void;
  newPersonForDistinctId(team: TeamState, distinctId: string, at: number): PersonRecord;
  deleteNow(person: PersonRecord, at?: number): void;
}

function reindex(store: WriteTarget, team: TeamState, person: PersonRecord, at: number): void {
  person.listJson = undefined;
  team.index.schedule({ op: 'upsert', entry: indexEntryOf(person) }, at + store.listLagMs);
}

function changeProperties(store: WriteTarget, team: TeamState, person: PersonRecord, next: Properties, at: number): void {
  appendHistory(person, store.seed, at, next);
  person.properties = next;
  reindex(store, team, person, at);
}

/** Moves each distinct id to its own person, whose UUID derives from (team, distinct id). */
function split(store: WriteTarget, team: TeamState, person: PersonRecord, distinctIds: string[], at: number): void {
  const moving = new Set(distinctIds.filter((id) => person.distinctIds.includes(id)));
  if (moving.size === 0) return;
  person.distinctIds = person.distinctIds.filter((id) => !moving.has(id));
  reindex(store, team, person, at);
  for (const id of moving) {
    const existing = team.persons.get(uuidFromDistinctId(team.id, id));
    if (existing) {
      existing.distinctIds = [...existing.distinctIds, id];
      team.byDistinctId.set(id, existing);
      reindex(store, team, existing, at);
    } else {
      team.byDistinctId.delete(id);
      store.insert(team, store.newPersonForDistinctId(team, id, at), at + store.listLagMs);
    }
  }
}

export function applyWrite(store: WriteTarget, team: TeamState, write: PendingWrite): void {
  const person = team.persons.get(write.uuid);
  if (!person) return;
  const at = write.dueAt;
  switch (write.kind) {
    case 'set':
      changeProperties(store, team, person, { ...person.properties, ...write.set }, at);
      return;
    case 'unset': {
      const present = write.keys.filter((key) => Object.hasOwn(person.properties, key));
      if (present.length === 0) return;
      const next: Record<string, unknown> = { ...person.properties };
      for (const key of present) delete next[key];
      changeProperties(store, team, person, next, at);
      return;
    }
    case 'split':
      if (write.emptyProperties && Object.keys(person.properties).length > 0) changeProperties(store, team, person, {}, at);
      split(store, team, person, write.distinctIds, at);
      return;
    case 'delete':
      store.deleteNow(person, at);
      return;
  }
}
