// POST /persons/reset_person_distinct_id/: 202 with an empty body for any non-empty string (a
// distinct_id never deleted too), 400 "distinct_id is required" otherwise; the sandbox records
// each reset so tests can see it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import { call, P } from './helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ persons: 0 });
});
afterAll(() => sb.close());

describe('reset_person_distinct_id', () => {
  it('answers 202 with an empty body and records the reset', async () => {
    const answer = await call(sb, `${P}/reset_person_distinct_id/`, { method: 'POST', body: { distinct_id: 'gone-1' } });
    expect(answer.status).toBe(202);
    expect(answer.text).toBe('');
    expect([...sb.store.resetDistinctIds().keys()]).toEqual(['gone-1']);
  });

  it.each([[{}], [{ distinct_id: '' }], [{ distinct_id: 7 }], [{ distinct_id: ['a'] }]])('%j: 400 "distinct_id is required"', async (body) => {
    const answer = await call(sb, `${P}/reset_person_distinct_id/`, { method: 'POST', body });
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ type: 'validation_error', detail: 'distinct_id is required' });
  });
});
