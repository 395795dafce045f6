// The text views built outside the renderers (the get card, timeline and activity change lines)
// print integers past 2^53 as their digits, never as the internal form JSON.stringify would give.
import { describe, expect, it } from 'vitest';
import type { ActivityEntry, RetrievedPerson } from '../../../src/api/persons.js';
import { describeActivityChanges } from '../../../src/commands/activity.js';
import { formatPersonCard } from '../../../src/commands/get.js';
import { describeChanges } from '../../../src/commands/timeline.js';
import { ExactNumber } from '../../../src/json/exact.js';

const BIG = '12345678901234567890';
const BIG2 = '98765432109876543210';

describe('exact numbers in text views', () => {
  it('activity: a change whose values are such integers', () => {
    const entry = { detail: { changes: [{ type: 'Person', action: 'changed', field: 'seats', before: new ExactNumber(BIG), after: new ExactNumber(BIG2) }] } } as unknown as ActivityEntry;
    expect(describeActivityChanges(entry)).toBe(`seats: ${BIG} -> ${BIG2}`);
    const inObject = { detail: { changes: [{ type: 'Person', action: 'changed', field: 'properties', before: { n: new ExactNumber(BIG) }, after: { n: [new ExactNumber(BIG2)] } }] } } as unknown as ActivityEntry;
    expect(describeActivityChanges(inObject)).toBe(`n: ${BIG} -> [${BIG2}]`);
  });

  it('timeline: changes between two points', () => {
    expect(describeChanges({ n: new ExactNumber(BIG) }, { n: new ExactNumber(BIG2) }, [])).toBe(`n: ${BIG} -> ${BIG2}`);
  });

  it('the get card', () => {
    const person = { id: 1, uuid: 'u', name: 'n', distinct_ids: [], created_at: 't', last_seen_at: null, properties: { big: new ExactNumber(BIG), obj: { n: new ExactNumber(BIG2) } } } as unknown as RetrievedPerson;
    expect(formatPersonCard(person)).toContain(`  big  ${BIG}\n  obj  {"n":${BIG2}}\n`);
  });
});
