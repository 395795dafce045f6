// split's planner on its own: what a split sends, keeps and moves, the sentence it shows, its
// warnings and its refusals, for each way of calling it (--keep, --only, neither).
import { describe, expect, it } from 'vitest';
import type { RetrievedPerson } from '../../../src/api/persons.js';
import { UsageError } from '../../../src/errors.js';
import { planSplit } from '../../../src/commands/split-plan.js';

const UUID = '019704b5-dfbb-70bf-9a46-bbd4c825e918';
/** An anonymous (device) distinct_id: PostHog lists these after the identified ones. */
const ANON = '0197aaaa-1111-7222-8333-444455556666';

function person(distinct_ids: string[]): RetrievedPerson {
  return { uuid: UUID, id: 7, distinct_ids, properties: {}, created_at: '2025-01-02T03:04:05Z' };
}

function refusal(run: () => unknown): { message: string; hint?: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    const { message, hint } = error as UsageError;
    return hint === undefined ? { message } : { message, hint };
  }
  throw new Error('expected a UsageError');
}

describe('planSplit', () => {
  it.each([
    {
      name: 'neither flag: the first listed distinct_id stays and is sent as main_distinct_id',
      ids: ['user_1', 'device_a', 'device_b'],
      keep: undefined,
      only: [],
      body: { main_distinct_id: 'user_1' },
      kept: ['user_1'],
      moved: ['device_a', 'device_b'],
      description: '2 distinct_ids move to new persons ("device_a", "device_b"); "user_1" stays (the first distinct_id, sent as main_distinct_id)',
    },
    {
      name: '--keep: that id stays, every other one moves (no warning: the first distinct_id stays)',
      ids: ['user_1', 'device_a', 'device_b'],
      keep: 'user_1',
      only: [],
      body: { main_distinct_id: 'user_1' },
      kept: ['user_1'],
      moved: ['device_a', 'device_b'],
      description: '2 distinct_ids move to new persons ("device_a", "device_b"); "user_1" stays',
    },
    {
      name: '--keep of a later id: the warning is in the plan (see "warns" below)',
      ids: ['user_1', 'device_a', 'device_b'],
      keep: 'device_a',
      only: [],
      body: { main_distinct_id: 'device_a' },
      kept: ['device_a'],
      moved: ['user_1', 'device_b'],
      description: '2 distinct_ids move to new persons ("user_1", "device_b"); "device_a" stays',
      warning:
        '"user_1" is the person\'s first distinct_id and would move to a new person; PostHog has reported that splitting off a person\'s first distinct_id can leave the person blank. To keep it, use --keep user_1.',
    },
    {
      name: '--only: only those move, the rest stay',
      ids: ['user_1', 'device_a', 'device_b', 'device_c'],
      keep: undefined,
      only: ['device_a,device_b'],
      body: { distinct_ids_to_split: ['device_a', 'device_b'] },
      kept: ['user_1', 'device_c'],
      moved: ['device_a', 'device_b'],
      description: '2 distinct_ids move to new persons ("device_a", "device_b"); "user_1", "device_c" stay',
    },
    {
      name: '--only repeated and with duplicates: each id once, in the order given',
      ids: ['user_1', 'device_a', 'device_b'],
      keep: undefined,
      only: ['device_b', 'device_a,device_b'],
      body: { distinct_ids_to_split: ['device_b', 'device_a'] },
      kept: ['user_1'],
      moved: ['device_b', 'device_a'],
      description: '2 distinct_ids move to new persons ("device_b", "device_a"); "user_1" stays',
    },
    {
      name: '--only with a comma inside a distinct_id: a value that is one of the ids is taken whole',
      ids: ['user_1', 'smith,john', 'device_a'],
      keep: undefined,
      only: ['smith,john'],
      body: { distinct_ids_to_split: ['smith,john'] },
      kept: ['user_1', 'device_a'],
      moved: ['smith,john'],
      description: '1 distinct_id moves to a new person ("smith,john"); "user_1", "device_a" stay',
    },
  ] as Array<{ name: string; ids: string[]; keep?: string; only: string[]; body: object; kept: string[]; moved: string[]; description: string; warning?: string }>)(
    '$name',
    ({ ids, keep, only, body, kept, moved, description, warning }) => {
      expect(planSplit(person(ids), keep, only)).toEqual({ body, kept, moved, description, warning });
    },
  );

  it.each([
    {
      name: '--keep of another id moves the only first distinct_id: warn, and say how to keep it',
      ids: ['user_1', 'device_a'],
      keep: 'device_a',
      only: [],
      warning:
        '"user_1" is the person\'s first distinct_id and would move to a new person; PostHog has reported that splitting off a person\'s first distinct_id can leave the person blank. To keep it, use --keep user_1.',
    },
    {
      name: '--only moving the first distinct_id: the same warning, the shell word quoted',
      ids: ["o'brien", 'device_a', 'device_b'],
      keep: undefined,
      only: ["o'brien"],
      warning:
        '"o\'brien" is the person\'s first distinct_id and would move to a new person; PostHog has reported that splitting off a person\'s first distinct_id can leave the person blank. To keep it, use --keep \'o\'\\\'\'brien\'.',
    },
    {
      name: 'identified and anonymous ids: either may be the oldest, so both are named',
      ids: ['user_1', ANON],
      keep: ANON,
      only: [],
      warning: `the person's first (oldest) distinct_id is "user_1" or "${ANON}" (the API does not say which), and "user_1" would move to a new person; PostHog has reported that splitting off a person's first distinct_id can leave the person blank.`,
    },
  ])('warns: $name', ({ ids, keep, only, warning }) => {
    expect(planSplit(person(ids), keep, only).warning).toBe(warning);
  });

  it('neither flag never warns: the first listed id is the one that stays', () => {
    expect(planSplit(person(['user_1', ANON]), undefined, []).warning).toBeUndefined();
  });

  it.each([
    {
      name: 'a person with one distinct_id',
      ids: ['user_1'],
      keep: undefined,
      only: [],
      error: { message: `person ${UUID} (user_1) cannot be split: it has only one distinct_id ("user_1")` },
    },
    {
      name: 'a person with no distinct_ids',
      ids: [],
      keep: undefined,
      only: [],
      error: { message: `person ${UUID} cannot be split: it has no distinct_ids` },
    },
    {
      name: '--keep of an id the person does not have',
      ids: ['user_1', 'device_a'],
      keep: 'nobody',
      only: [],
      error: {
        message: `--keep: distinct_id "nobody" is not on person ${UUID} (user_1)`,
        hint: 'Its distinct_ids: "user_1", "device_a".',
      },
    },
    {
      name: '--only naming unknown ids',
      ids: ['user_1', 'device_a'],
      keep: undefined,
      only: ['device_a,ghost', 'phantom'],
      error: {
        message: `--only: distinct_ids "ghost", "phantom" are not on person ${UUID} (user_1)`,
        hint: 'Its distinct_ids: "user_1", "device_a".',
      },
    },
    {
      name: '--only naming every id',
      ids: ['user_1', 'device_a'],
      keep: undefined,
      only: ['user_1,device_a'],
      error: {
        message: `--only names every distinct_id of person ${UUID} (user_1), which would leave it with none`,
        hint: 'Use --keep ID to choose the one that stays.',
      },
    },
  ])('refuses $name', ({ ids, keep, only, error }) => {
    expect(refusal(() => planSplit(person(ids), keep, only))).toEqual(error);
  });

  it('names ten ids and counts the rest', () => {
    const ids = Array.from({ length: 13 }, (_, i) => `d${i}`);
    expect(planSplit(person(ids), undefined, []).description).toBe(
      '12 distinct_ids move to new persons ("d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9", "d10" and 2 more); "d0" stays (the first distinct_id, sent as main_distinct_id)',
    );
  });
});
