// Deterministic demo data: persons for project 1 (tricky ones first, then generated ones),
// a handful for project 2 and environment 3 (some sharing distinct_ids with project 1), optional
// ghost entries for the list index, and some past activity.

import { SANDBOX_ENVIRONMENT_ID, SANDBOX_OTHER_PROJECT_ID, SANDBOX_PROJECT_ID } from './keys.js';
import type { ActivityEntry, IndexEntry, PersonRecord, Properties } from './model.js';
import { mixSeed, mulberry32, pick, randomInt, uuidV4, uuidV5, uuidV7, type Rng } from './random.js';
import {
  BROWSERS, COMPANIES, COUNTRIES, EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES, SIGNUP_SOURCES, weightedPlan,
} from './seed-pools.js';
import { trickySpecs } from './seed-tricky.js';

/** Generated data is anchored here, not to the wall clock, so it is identical on every run. */
export const SEED_EPOCH = Date.UTC(2025, 5, 1);
const DAY = 86_400_000;
const SPAN = 730 * DAY;

export interface SeedData {
  persons: PersonRecord[];
  ghosts: IndexEntry[];
  activity: ActivityEntry[];
  nextPk: number;
}

export interface SeedOptions {
  seed: number;
  persons: number;
  ghosts: number;
}

function person(
  teamId: number, pk: number, uuid: string, createdAt: number, lastSeenAt: number | null,
  isIdentified: boolean, properties: Properties, distinctIds: string[],
): PersonRecord {
  return { teamId, pk, uuid, createdAt, lastSeenAt, isIdentified, properties, distinctIds, history: null };
}

function lastSeen(rng: Rng, createdAt: number): number | null {
  if (rng() < 0.15) return null;
  return createdAt + Math.floor(rng() * (SEED_EPOCH - createdAt));
}

/** Properties and distinct ids of one ordinary person. */
function generatedPerson(rng: Rng, n: number): { properties: Properties; distinctIds: string[]; identified: boolean } {
  const identified = rng() < 0.85;
  const country = pick(rng, COUNTRIES);
  const source = pick(rng, SIGNUP_SOURCES);
  const anonymousId = uuidV4(rng);
  if (!identified) {
    return { properties: { $browser: pick(rng, BROWSERS), country, signup_source: source }, distinctIds: [anonymousId], identified };
  }
  const [first, firstAscii] = pick(rng, FIRST_NAMES);
  const [last, lastAscii] = pick(rng, LAST_NAMES);
  const properties: Record<string, unknown> = {};
  const hasEmail = rng() < 0.93;
  const email = `${firstAscii}.${lastAscii}${n}@${pick(rng, EMAIL_DOMAINS)}`;
  if (hasEmail) properties.email = email;
  if (rng() < 0.9) properties.name = `${first} ${last}`;
  properties.plan = weightedPlan(rng());
  if (rng() < 0.8) properties.age = randomInt(rng, 18, 75);
  properties.country = country;
  properties.signup_source = source;
  properties.is_beta = rng() < 0.2;
  if (rng() < 0.6) properties.company = pick(rng, COMPANIES);
  const distinctIds = rng() < 0.8 ? [anonymousId] : [];
  distinctIds.push(hasEmail && rng() < 0.3 ? email : `user_${n}`);
  if (rng() < 0.1) distinctIds.push(uuidV4(rng));
  return { properties, distinctIds, identified };
}

/** Sorted creation times over two years, with a few exact ties (to exercise ordering). */
function creationTimes(rng: Rng, count: number, end: number): Float64Array {
  const times = new Float64Array(count);
  for (let i = 0; i < count; i++) times[i] = end - SPAN + Math.floor(rng() * SPAN);
  times.sort();
  for (let i = 1; i < count; i++) if (rng() < 0.03) times[i] = times[i - 1] as number;
  return times;
}

/** The tricky persons (at most `limit`), oldest first; pks are assigned by the caller. */
function trickyPersons(rng: Rng, limit: number, newest: number): PersonRecord[] {
  const createdTimes: number[] = [];
  for (let i = 0; i < 30; i++) createdTimes.push(newest - i * 37 * 60_000 - randomInt(rng, 0, 59_999));
  const uuids = createdTimes.map((t) => uuidV7(rng, t));
  const specs = trickySpecs(rng, uuids).slice(0, limit);
  const tieTimes = new Map<string, number>();
  // Oldest first, so pks grow with creation time like everywhere else.
  const out: PersonRecord[] = [];
  for (let i = specs.length - 1; i >= 0; i--) {
    const spec = specs[i]!;
    let createdAt = createdTimes[i]!;
    if (spec.tieGroup) createdAt = tieTimes.get(spec.tieGroup) ?? (tieTimes.set(spec.tieGroup, createdAt), createdAt);
    const uuid = spec.tieGroup ? uuidV7(rng, createdAt) : uuids[i]!;
    const seen = spec.lastSeen ? createdAt + randomInt(rng, 0, DAY) : null;
    out.push(person(SANDBOX_PROJECT_ID, 0, uuid, createdAt, seen, spec.isIdentified, spec.properties, spec.distinctIds));
  }
  return out;
}

function otherProjectPersons(rng: Rng, firstPk: number): PersonRecord[] {
  const out: PersonRecord[] = [];
  for (let i = 1; i <= 5; i++) {
    const createdAt = SEED_EPOCH - (10 - i) * DAY;
    const distinctIds = [`team2-user-${i}`];
    if (i === 1) distinctIds.push('shared-distinct-id');
    const properties = { email: `member${i}@team-two.example`, name: `Team Two Member ${i}`, plan: 'startup' };
    out.push(person(SANDBOX_OTHER_PROJECT_ID, firstPk + i - 1, uuidV7(rng, createdAt), createdAt, createdAt, true, properties, distinctIds));
  }
  return out;
}

/**
 * Persons of project 2 and environment 3 whose distinct_ids other projects use too, as one
 * person's data spreads over an organization's projects: three of project 1's tricky persons are
 * also in both (a different person, with its own UUID, in each), one is also in environment 3,
 * and a few live in environment 3 only. Their pks come from a range of their own and their UUIDs
 * from their names, so project 1's persons, the next pk and every random draw stay as they were.
 */
const SHARED_PK_BASE = 1_000_000_000;
const SHARED_NAMESPACE = '2f1c8f6e-3b7a-4d2e-9c55-8a0e6b1d4f73';

function sharedPersons(): PersonRecord[] {
  const everywhere: Array<[string, string, string]> = [
    ['jose.alvarez', 'jose.alvarez@example.com', 'José Álvarez-Núñez'],
    ['yamada-taro', 'yamada.taro@example.jp', '山田 太郎'],
    ['ava-stone', 'ava.stone@example.com', 'Ava 🚀 Stone'],
  ];
  const specs: Array<{ teamId: number; distinctId: string; email: string; name: string }> = [];
  for (const teamId of [SANDBOX_OTHER_PROJECT_ID, SANDBOX_ENVIRONMENT_ID]) {
    for (const [distinctId, email, name] of everywhere) specs.push({ teamId, distinctId, email, name });
  }
  specs.push({ teamId: SANDBOX_ENVIRONMENT_ID, distinctId: 'bobby', email: 'bobby.tables@example.com', name: 'Robert "Bobby" Tables' });
  for (let i = 1; i <= 3; i++) specs.push({ teamId: SANDBOX_ENVIRONMENT_ID, distinctId: `dev-tester-${i}`, email: `tester${i}@dev.example`, name: `Dev Tester ${i}` });
  return specs.map((spec, i) => {
    const createdAt = SEED_EPOCH - (20 - i) * DAY;
    const uuid = uuidV5(SHARED_NAMESPACE, `${spec.teamId}:${spec.distinctId}`);
    const plan = spec.teamId === SANDBOX_ENVIRONMENT_ID ? 'free' : 'startup';
    return person(spec.teamId, SHARED_PK_BASE + i, uuid, createdAt, createdAt, true, { email: spec.email, name: spec.name, plan }, [spec.distinctId]);
  });
}

/** Ghost index entries: each shares the creation time of a real person, spread evenly. */
function ghostEntries(rng: Rng, count: number, persons: readonly PersonRecord[]): IndexEntry[] {
  const ghosts: IndexEntry[] = [];
  for (let i = 0; i < count && persons.length > 0; i++) {
    const anchor = persons[Math.floor(((i + 0.5) * persons.length) / count)]!;
    const { properties, distinctIds } = generatedPerson(rng, 900_000 + i);
    ghosts.push({ uuid: uuidV7(rng, anchor.createdAt), createdAt: anchor.createdAt, properties, distinctIds, ghost: true });
  }
  return ghosts;
}

const DEMO_USER = { first_name: 'Dana', email: 'dana@example.com' };
const SYSTEM_USER = { first_name: 'System', email: null, is_system: true };

/** A few past activity entries on the newest persons, older than any sandbox session. */
function pastActivity(seed: number, persons: readonly PersonRecord[]): ActivityEntry[] {
  const newest = persons.filter((p) => p.teamId === SANDBOX_PROJECT_ID).slice(-8);
  return newest.map((p, i): ActivityEntry => {
    const split = i % 4 === 3;
    return {
      id: uuidV5('6ba7b811-9dad-11d1-80b4-00c04fd430c8', `sandbox-activity:${seed}:seed:${i}`),
      teamId: p.teamId,
      personUuid: p.uuid,
      itemId: String(p.pk),
      activity: split ? 'split_person' : 'updated',
      user: split ? SYSTEM_USER : DEMO_USER,
      changes: split
        ? [{ type: 'Person', action: 'split', field: null, before: null, after: { distinct_ids: [...p.distinctIds] } }]
        : [{ type: 'Person', action: 'changed', field: 'properties', before: null, after: { plan: p.properties.plan ?? null } }],
      name: null,
      createdAt: p.createdAt + (i + 1) * 3_600_000,
    };
  });
}

export function generateSeed(options: SeedOptions): SeedData {
  const rng = mulberry32(mixSeed(options.seed, 0x5eed));
  const tricky = trickyPersons(rng, options.persons, SEED_EPOCH - DAY / 2);
  const regularCount = options.persons - tricky.length;
  const regularEnd = SEED_EPOCH - 2 * DAY;
  const times = creationTimes(rng, regularCount, regularEnd);

  const persons: PersonRecord[] = [];
  for (let i = 0; i < regularCount; i++) {
    const createdAt = times[i]!;
    const { properties, distinctIds, identified } = generatedPerson(rng, i + 1);
    persons.push(person(SANDBOX_PROJECT_ID, i + 1, uuidV7(rng, createdAt), createdAt, lastSeen(rng, createdAt), identified, properties, distinctIds));
  }
  const ghosts = ghostEntries(rng, options.ghosts, persons);
  for (const p of tricky) persons.push({ ...p, pk: persons.length + 1 });
  persons.push(...otherProjectPersons(rng, persons.length + 1));
  const nextPk = persons.length + 1;
  persons.push(...sharedPersons());
  return { persons, ghosts, activity: pastActivity(options.seed, persons), nextPk };
}
