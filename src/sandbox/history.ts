// Each person's property history, the data behind properties_timeline. Seeded histories are
// derived on first use from (seed, pk), so starting 100,000 persons costs nothing here.

import type { PersonRecord, Properties, PropertySnapshot } from './model.js';
import { mixSeed, mulberry32, randomInt } from './random.js';
import { PLAN_ORDER } from './seed-pools.js';

const HOUR = 3_600_000;

/**
 * A plausible past for a seeded person: up to three earlier points where the plan was lower,
 * the beta flag not yet set and the age a year younger, ending with the properties it has now.
 */
function seededHistory(person: PersonRecord, seed: number): PropertySnapshot[] {
  const rng = mulberry32(mixSeed(seed, person.pk, 0x7157));
  const current = person.properties;
  const end = Math.max(person.createdAt, person.lastSeenAt ?? person.createdAt + 30 * 24 * HOUR);
  const earlier = Object.keys(current).length === 0 || rng() < 0.35 ? 0 : randomInt(rng, 1, 3);
  const span = Math.max(end - person.createdAt, earlier * HOUR);
  const points: PropertySnapshot[] = [];
  for (let step = 0; step < earlier; step++) {
    const properties: Record<string, unknown> = { ...current };
    const planIndex = PLAN_ORDER.indexOf(current.plan as (typeof PLAN_ORDER)[number]);
    if (planIndex > 0) properties.plan = PLAN_ORDER[Math.max(0, planIndex - (earlier - step))];
    if (step === 0 && current.is_beta === true) properties.is_beta = false;
    if (step === 0 && typeof current.age === 'number') properties.age = current.age - 1;
    const at = person.createdAt + Math.floor((span * step) / (earlier + 1));
    points.push({ at, properties, events: randomInt(rng, 1, 25) });
  }
  const lastAt = person.createdAt + Math.floor((span * earlier) / (earlier + 1));
  points.push({ at: lastAt, properties: current, events: randomInt(rng, 1, 25) });
  return points;
}

/** The person's history, materialised on first use. */
export function historyOf(person: PersonRecord, seed: number): PropertySnapshot[] {
  if (person.history === null) person.history = seededHistory(person, seed);
  return person.history;
}

/** Records a change that was just applied; call before replacing `person.properties`. */
export function appendHistory(person: PersonRecord, seed: number, at: number, properties: Properties): void {
  historyOf(person, seed).push({ at, properties, events: 1 });
}
