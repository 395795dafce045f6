// The sandbox stores and serves integers past 2^53 digit for digit, as PostHog (Python ints,
// ClickHouse JSON text) does: in list pages, retrieve answers, writes, and its request log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ExactNumber } from '../../../src/json/exact.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import { call, P } from './helpers.js';

const BIG = '12345678901234567890';
let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ persons: 0, writeLagMs: 0 });
});
afterAll(() => sb.close());

describe('integers past 2^53', () => {
  it('a stored ExactNumber property is served as its digits in list and retrieve', async () => {
    const p = sb.store.addPerson({ distinctIds: ['big-1'], properties: { n: new ExactNumber(BIG), deep: { list: [new ExactNumber(BIG)] } } });
    const list = await call(sb, `${P}/?distinct_id=big-1`);
    expect(list.text).toContain(`"properties":{"n":${BIG},"deep":{"list":[${BIG}]}}`);
    const one = await call(sb, `${P}/${p.uuid}/`);
    expect(one.text).toContain(`"properties":{"n":${BIG},"deep":{"list":[${BIG}]}}`);
  });

  it('a written value keeps its digits, and the request log holds it exactly', async () => {
    const p = sb.store.addPerson({ distinctIds: ['big-2'], properties: {} });
    sb.clearRequests();
    const patch = await call(sb, `${P}/${p.uuid}/`, { method: 'PATCH', body: `{"properties":{"n":${BIG},"m":-9007199254740993}}` });
    expect(patch.status).toBe(202);
    const logged = sb.requests[0]!.body as { properties: Record<string, unknown> };
    expect(String(logged.properties.n)).toBe(BIG);
    expect(String(logged.properties.m)).toBe('-9007199254740993');
    const one = await call(sb, `${P}/${p.uuid}/`);
    expect(one.text).toContain(`"properties":{"n":${BIG},"m":-9007199254740993}`);
  });
});
