// The primary persons store (PostHog's Postgres): fresh reads, lagged writes. Writes wait in a
// queue with due times and are applied lazily, at the start of each request and on every store
// read, so behaviour depends only on the clock and the request sequence, never on timers.

import { SANDBOX_PROJECT_ID } from './keys.js';
import { indexEntryOf, ListIndex, listOrder } from './list-index.js';
import type { ActivityEntry, IndexEntry, PendingWrite, PersonRecord, Properties } from './model.js';
import type { RuntimeOptions } from './options.js';
import { uuidFromDistinctId, uuidV5, uuidV7, mulberry32 } from './random.js';
import type { SeedData } from './seed.js';
import { SANDBOX_TEAM_IDS } from './projects.js';
import { applyWrite } from './store-apply.js';
import type { TeamState } from './team.js';

export interface DeletionStatusView {
  person_uuid: string;
  created_at: string;
  status: 'pending' | 'completed';
  delete_verified_at: string | null;
}

export interface NewPerson {
  teamId?: number;
  /** Kept when free (so a removed person can be put back as it was); otherwise the next pk. */
  pk?: number;
  uuid?: string;
  distinctIds?: readonly string[];
  properties?: Record<string, unknown>;
  createdAt?: number | string;
  lastSeenAt?: number | string | null;
  isIdentified?: boolean;
}

type NewWrite =
  | { kind: 'set'; set: Properties }
  | { kind: 'unset'; keys: string[] }
  | { kind: 'split'; distinctIds: string[]; emptyProperties?: boolean }
  | { kind: 'delete' };

const ACTIVITY_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

function toMs(value: number | string): number {
  return typeof value === 'number' ? value : Date.parse(value);
}

export class SandboxStore {
  private readonly teams = new Map<number, TeamState>();
  private readonly pending: PendingWrite[] = [];
  private writeSeq = 0;
  private activitySeq = 0;
  /** persons with an event-deletion row (deletion_status): one row each */
  private readonly queuedDeletions = new Set<string>();
  private nextPk: number;
  private readonly uuidRng: () => number;

  constructor(
    seed: SeedData,
    private readonly options: RuntimeOptions,
    private readonly clock: () => number = Date.now,
  ) {
    this.nextPk = seed.nextPk;
    this.uuidRng = mulberry32(options.seed ^ 0x55aa);
    for (const id of SANDBOX_TEAM_IDS) {
      const members = seed.persons.filter((p) => p.teamId === id);
      const entries = members.map(indexEntryOf);
      if (id === SANDBOX_PROJECT_ID) entries.push(...seed.ghosts);
      const team: TeamState = { id, persons: new Map(), byDistinctId: new Map(), byPk: new Map(), index: new ListIndex(entries), activity: [], deletions: [] };
      for (const p of members) this.register(team, p);
      team.activity = seed.activity.filter((a) => a.teamId === id).sort((a, b) => a.createdAt - b.createdAt);
      this.teams.set(id, team);
    }
  }

  now(): number {
    return this.clock();
  }

  hasProject(id: number): boolean {
    return this.teams.has(id);
  }

  /** Applies every queued write whose due time has passed. */
  tick(now: number = this.clock()): void {
    while (this.pending.length > 0 && this.pending[0]!.dueAt <= now) {
      const write = this.pending.shift()!;
      const team = this.teams.get(write.teamId);
      if (team) applyWrite(this, team, write);
    }
  }

  team(id: number): TeamState {
    const team = this.teams.get(id);
    if (!team) throw new Error(`No sandbox project ${id}`);
    return team;
  }

  // ---- reads (for handlers and tests); each applies due writes first ----

  /** A person by UUID or integer pk, in the given project only. */
  person(ref: string | number, teamId: number = SANDBOX_PROJECT_ID): PersonRecord | undefined {
    this.tick();
    const team = this.team(teamId);
    if (typeof ref === 'number' || /^\d+$/.test(ref)) return team.byPk.get(Number(ref));
    return team.persons.get(ref.toLowerCase());
  }

  byDistinctId(distinctId: string, teamId: number = SANDBOX_PROJECT_ID): PersonRecord | undefined {
    this.tick();
    return this.team(teamId).byDistinctId.get(distinctId);
  }

  /** Every person of the project in list order (primary store, not the lagging index). */
  persons(teamId: number = SANDBOX_PROJECT_ID): PersonRecord[] {
    this.tick();
    return [...this.team(teamId).persons.values()].sort(listOrder);
  }

  count(teamId: number = SANDBOX_PROJECT_ID): number {
    this.tick();
    return this.team(teamId).persons.size;
  }

  /** The distinct_ids reset_person_distinct_id was called for, with the time of the last call. */
  resetDistinctIds(teamId: number = SANDBOX_PROJECT_ID): ReadonlyMap<string, number> {
    return this.team(teamId).resets ?? new Map();
  }

  /** Records a reset. Nothing else changes: the sandbox has no event ingestion for the id to come back through. */
  recordReset(team: TeamState, distinctId: string, at: number = this.clock()): void {
    (team.resets ??= new Map()).set(distinctId, at);
  }

  pendingWrites(): readonly PendingWrite[] {
    this.tick();
    return [...this.pending];
  }

  /** Activity entries, newest first. */
  activity(teamId: number = SANDBOX_PROJECT_ID): ActivityEntry[] {
    return [...this.team(teamId).activity].reverse();
  }

  /** deletion_status rows, newest first, with their status as of now. */
  deletionStatus(teamId: number = SANDBOX_PROJECT_ID): DeletionStatusView[] {
    const now = this.clock();
    return [...this.team(teamId).deletions].reverse().map((row) => ({
      person_uuid: row.personUuid,
      created_at: new Date(row.createdAt).toISOString(),
      status: now >= row.completesAt ? 'completed' : 'pending',
      delete_verified_at: now >= row.completesAt ? new Date(row.completesAt).toISOString() : null,
    }));
  }

  /** The list index of a project, with due changes applied. */
  listIndex(teamId: number = SANDBOX_PROJECT_ID): readonly IndexEntry[] {
    this.tick();
    return this.team(teamId).index.view(this.clock());
  }

  // ---- writes, as the API performs them ----

  queue(person: PersonRecord, write: NewWrite, lagMs: number = this.options.writeLagMs): void {
    const entry = { ...write, seq: this.writeSeq++, dueAt: this.clock() + lagMs, teamId: person.teamId, uuid: person.uuid } as PendingWrite;
    let i = this.pending.length;
    while (i > 0 && this.pending[i - 1]!.dueAt > entry.dueAt) i--;
    this.pending.splice(i, 0, entry);
  }

  /** Removes a person now (sync deletion); the list index forgets it after listLagMs. */
  deleteNow(person: PersonRecord, at: number = this.clock()): void {
    const team = this.team(person.teamId);
    if (team.persons.get(person.uuid) !== person) return;
    this.unregister(team, person);
    team.index.schedule({ op: 'remove', uuid: person.uuid }, at + this.options.listLagMs);
  }

  logActivity(entry: Omit<ActivityEntry, 'id' | 'createdAt'>): ActivityEntry {
    const full: ActivityEntry = {
      ...entry,
      id: uuidV5(ACTIVITY_NAMESPACE, `sandbox-activity:${this.options.seed}:${this.activitySeq++}`),
      createdAt: this.clock(),
    };
    this.team(entry.teamId).activity.push(full);
    return full;
  }

  queueEventDeletion(person: PersonRecord): void {
    const now = this.clock();
    // PostHog keeps one row per person (a unique key on the person's UUID, inserted with
    // ignore_conflicts): queueing the same person again changes nothing.
    if (this.queuedDeletions.has(person.uuid)) return;
    this.queuedDeletions.add(person.uuid);
    this.team(person.teamId).deletions.push({ teamId: person.teamId, personUuid: person.uuid, createdAt: now, completesAt: now + this.options.eventBatchMs });
  }

  // ---- direct manipulation, for tests ----

  addPerson(input: NewPerson = {}): PersonRecord {
    const team = this.team(input.teamId ?? SANDBOX_PROJECT_ID);
    const createdAt = input.createdAt === undefined ? this.clock() : toMs(input.createdAt);
    const distinctIds = input.distinctIds ?? [];
    for (const id of distinctIds) {
      if (team.byDistinctId.has(id)) throw new Error(`Distinct id ${id} already belongs to a person`);
    }
    const uuid = (input.uuid ?? uuidV7(this.uuidRng, createdAt)).toLowerCase();
    if (team.persons.has(uuid)) throw new Error(`A person with UUID ${uuid} already exists`);
    const pkFree = input.pk !== undefined && ![...this.teams.values()].some((t) => t.byPk.has(input.pk!));
    const person: PersonRecord = {
      teamId: team.id,
      pk: pkFree ? input.pk! : this.nextPk++,
      uuid,
      createdAt,
      lastSeenAt: input.lastSeenAt === undefined || input.lastSeenAt === null ? null : toMs(input.lastSeenAt),
      isIdentified: input.isIdentified ?? distinctIds.length > 0,
      properties: { ...input.properties },
      distinctIds: [...distinctIds],
      history: null,
    };
    person.history = [{ at: createdAt, properties: person.properties, events: 1 }];
    this.register(team, person);
    team.index.putNow(indexEntryOf(person));
    if (person.pk >= this.nextPk) this.nextPk = person.pk + 1;
    return person;
  }

  /**
   * Removes a person from the primary store at once, with any writes still queued for it; with
   * keepInIndex it lingers in the list index as a ghost. Returns whether it existed.
   */
  removePerson(uuid: string, options: { keepInIndex?: boolean; teamId?: number } = {}): boolean {
    const team = this.team(options.teamId ?? SANDBOX_PROJECT_ID);
    const key = uuid.toLowerCase();
    for (let i = this.pending.length - 1; i >= 0; i--) {
      if (this.pending[i]!.uuid === key && this.pending[i]!.teamId === team.id) this.pending.splice(i, 1);
    }
    if (!options.keepInIndex) team.index.removeNow(key);
    const person = team.persons.get(key);
    if (!person) return false;
    this.unregister(team, person);
    return true;
  }

  // ---- helpers shared with store-apply.ts ----

  /** Adds a person to the primary store now and to the index at `indexDueAt`. */
  insert(team: TeamState, person: PersonRecord, indexDueAt: number): void {
    this.register(team, person);
    team.index.schedule({ op: 'upsert', entry: indexEntryOf(person) }, indexDueAt);
  }

  newPersonForDistinctId(team: TeamState, distinctId: string, at: number): PersonRecord {
    return {
      teamId: team.id,
      pk: this.nextPk++,
      uuid: uuidFromDistinctId(team.id, distinctId),
      createdAt: at,
      lastSeenAt: null,
      isIdentified: false,
      properties: {},
      distinctIds: [distinctId],
      history: [{ at, properties: {}, events: 1 }],
    };
  }

  get seed(): number {
    return this.options.seed;
  }

  get listLagMs(): number {
    return this.options.listLagMs;
  }

  private register(team: TeamState, person: PersonRecord): void {
    team.persons.set(person.uuid, person);
    team.byPk.set(person.pk, person);
    for (const id of person.distinctIds) team.byDistinctId.set(id, person);
  }

  private unregister(team: TeamState, person: PersonRecord): void {
    team.persons.delete(person.uuid);
    team.byPk.delete(person.pk);
    for (const id of person.distinctIds) if (team.byDistinctId.get(id) === person) team.byDistinctId.delete(id);
  }
}
