import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { manualClock } from '../../helpers/manual-clock.js';
import { startSandbox, type PersonRecord, type Sandbox } from '../../../src/sandbox/index.js';
import { call, filterQuery, P } from './helpers.js';

describe('pagination', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ persons: 250 });
  });
  afterAll(() => sb.close());

  it('pages in created_at DESC, id DESC order with absolute next links and a trailing empty page', async () => {
    const seen: string[] = [];
    let url: string | null = `${sb.url}${P}/?limit=50`;
    const pageSizes: number[] = [];
    while (url) {
      const answer = await call(sb, url.slice(sb.url.length));
      pageSizes.push(answer.json.results.length);
      seen.push(...answer.json.results.map((r: { uuid: string }) => r.uuid));
      url = answer.json.next;
      if (url) expect(url.startsWith(`${sb.url}${P}/?limit=50&offset=`)).toBe(true);
    }
    expect(pageSizes).toEqual([50, 50, 50, 50, 50, 0]);
    expect(seen).toEqual(sb.store.persons().map((p) => p.uuid));
    const created = sb.store.persons().map((p) => p.createdAt);
    expect([...created].sort((a, b) => b - a)).toEqual(created);
  });

  it('appends or replaces offset, keeps other parameters, and reproduces the page-2 previous quirk', async () => {
    const first = await call(sb, `${P}/`);
    expect(first.json.results).toHaveLength(100);
    expect(first.json.next).toBe(`${sb.url}${P}/?offset=100`);
    expect(first.json.previous).toBeNull();
    expect('count' in first.json).toBe(false);

    const second = await call(sb, `${P}/?search=&limit=50&offset=50`);
    expect(second.json.next).toBe(`${sb.url}${P}/?search=&limit=50&offset=100`);
    expect(second.json.previous).toBe(`${sb.url}${P}/?search=&limit=50&offset=50`);
    const third = await call(sb, `${P}/?offset=100&limit=50`);
    expect(third.json.previous).toBe(`${sb.url}${P}/?offset=50&limit=50`);
  });

  it('treats limit=0 as 100, caps silently, and counts only with include_total', async () => {
    expect((await call(sb, `${P}/?limit=0`)).json.results).toHaveLength(100);
    const all = await call(sb, `${P}/?limit=100000&include_total`);
    expect(all.json.results).toHaveLength(250);
    expect(all.json.next).toBeNull();
    expect(all.json.count).toBe(250);
    expect((await call(sb, `${P}/?limit=abc`)).status).toBe(500);
  });
});

describe('lagging index', () => {
  it('gives short pages with next set for ghosts, and counts them', async () => {
    const sb = await startSandbox({ persons: 60, ghosts: 6 });
    try {
      const counted = await call(sb, `${P}/?limit=10&include_total`);
      expect(counted.json.count).toBe(66);
      const sizes: number[] = [];
      let total = 0;
      for (let offset = 0; ; offset += 10) {
        const answer = await call(sb, `${P}/?limit=10&offset=${offset}`);
        sizes.push(answer.json.results.length);
        total += answer.json.results.length;
        if (!answer.json.next) break;
      }
      expect(total).toBe(60);
      expect(sizes.some((n) => n > 0 && n < 10)).toBe(true);
    } finally {
      await sb.close();
    }
  });

  it('keeps deleted persons in the list index for listLagMs', async () => {
    const clock = manualClock(); // the list lag runs on it: no real wait, no race with a slow machine
    const sb = await startSandbox({ persons: 30, listLagMs: 150, clock });
    try {
      const first = await call(sb, `${P}/?limit=10&include_total`);
      const victim = first.json.results[3].uuid;
      const deleted = await call(sb, `${P}/bulk_delete/`, { method: 'POST', body: { ids: [victim] } });
      expect(deleted.json.persons_deleted).toBe(1);
      expect((await call(sb, `${P}/${victim}/`)).status).toBe(404);
      const stale = await call(sb, `${P}/?limit=10&include_total`);
      expect(stale.json.results).toHaveLength(9);
      expect(stale.json.next).not.toBeNull();
      expect(stale.json.count).toBe(30);
      clock.advance(200);
      const fresh = await call(sb, `${P}/?limit=10&include_total`);
      expect(fresh.json.results).toHaveLength(10);
      expect(fresh.json.count).toBe(29);
    } finally {
      await sb.close();
    }
  });
});

describe('filters and search', () => {
  let sb: Sandbox;
  const people: Record<string, PersonRecord> = {};
  const T = Date.UTC(2024, 0, 1);

  beforeAll(async () => {
    sb = await startSandbox({ persons: 0 });
    const add = (name: string, minutesAgo: number, properties: Record<string, unknown>, distinctIds: string[]) => {
      people[name] = sb.store.addPerson({ properties, distinctIds, createdAt: T - minutesAgo * 60_000 });
    };
    add('A', 10, { email: 'a@x.com', name: 'Alice', age: 30, plan: 'free', is_beta: true }, ['a']);
    add('B', 10, { email: 'b@x.com', name: 'Bob', age: '30', plan: 'scale' }, ['b', 'b-second']);
    add('C', 20, { email: 'C@X.com', name: 'Carol', age: 45, plan: 'enterprise', note: null }, ['c']);
    add('D', 30, {}, ['d-anon']);
    add('E', 40, { email: 'e@x.com', age: 17.5, plan: 'startup' }, ['e']);
    add('F', 50, { email: 'other@x.com', name: 'Frank' }, ['f@x.com']);
    add('G', 60, { email: 'elf@x.com', name: 'Gus' }, ['g']);
  });
  afterAll(() => sb.close());

  async function names(query: string): Promise<string[]> {
    const answer = await call(sb, `${P}/?${query}`);
    expect(answer.status, query).toBe(200);
    return answer.json.results.map((r: { uuid: string }) => Object.keys(people).find((k) => people[k]!.uuid === r.uuid)).sort();
  }

  it('orders ties by id descending', async () => {
    const answer = await call(sb, `${P}/`);
    const [first, second] = answer.json.results.map((r: { uuid: string }) => r.uuid);
    expect([first, second].sort().reverse()).toEqual([first, second]);
  });

  it('implements every operator, negated ones matching persons without the property', async () => {
    const f = (key: string, operator: string | undefined, value?: unknown) => filterQuery([{ key, value, operator, type: 'person' }]);
    expect(await names(f('age', undefined, 30))).toEqual(['A', 'B']);
    expect(await names(f('age', 'exact', '30'))).toEqual(['A', 'B']);
    expect(await names(f('plan', 'exact', ['free', 'scale']))).toEqual(['A', 'B']);
    expect(await names(f('plan', 'is_not', 'free'))).toEqual(['B', 'C', 'D', 'E', 'F', 'G']);
    expect(await names(f('email', 'icontains', 'X.COM'))).toEqual(['A', 'B', 'C', 'E', 'F', 'G']);
    expect(await names(f('email', 'not_icontains', 'c@'))).toEqual(['A', 'B', 'D', 'E', 'F', 'G']);
    expect(await names(f('name', 'regex', '^[AB]'))).toEqual(['A', 'B']);
    expect(await names(f('name', 'not_regex', '^A'))).toEqual(['B', 'C', 'D', 'E', 'F', 'G']);
    expect(await names(f('age', 'gt', 29))).toEqual(['A', 'B', 'C']);
    expect(await names(f('age', 'gte', '45'))).toEqual(['C']);
    expect(await names(f('age', 'lt', 30))).toEqual(['E']);
    expect(await names(f('age', 'lte', 30))).toEqual(['A', 'B', 'E']);
    expect(await names(f('note', 'is_set', 'is_set'))).toEqual([]);
    expect(await names(f('email', 'is_not_set', 'is_not_set'))).toEqual(['D']);
    expect(await names(f('is_beta', 'exact', 'true'))).toEqual(['A']);
    const both = filterQuery([{ key: 'age', value: 30 }, { key: 'plan', value: 'scale', operator: 'exact' }]);
    expect(await names(both)).toEqual(['B']);
  });

  it('rejects unparsable properties', async () => {
    for (const raw of ['not-json', '{"key":"plan","value":"free"}', '[1]']) {
      const answer = await call(sb, `${P}/?properties=${encodeURIComponent(raw)}`);
      expect(answer.status).toBe(400);
      expect(answer.json).toEqual({ type: 'validation_error', code: 'invalid_input', detail: 'Properties are unparsable!', attr: null });
    }
  });

  it('filters email exactly and case-sensitively', async () => {
    expect(await names('email=C%40X.com')).toEqual(['C']);
    expect(await names('email=c%40x.com')).toEqual([]);
  });

  it('exact with a list value matches any of them, case-sensitively; one element is that value; an empty list is no condition (as in PostHog)', async () => {
    const emailIn = (value: unknown) => names(filterQuery([{ key: 'email', value, operator: 'exact', type: 'person' }]));
    expect(await emailIn(['a@x.com', 'e@x.com', 'c@x.com', 'nobody@x.com'])).toEqual(['A', 'E']);
    expect(await emailIn(['C@X.com'])).toEqual(['C']);
    // HogQL drops a filter whose list is empty: every person matches (a client must never send one).
    expect(await emailIn([])).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'G']);
  });

  it('looks up distinct_id exactly, with next null', async () => {
    const answer = await call(sb, `${P}/?distinct_id=b-second&include_total`);
    expect(answer.json.results.map((r: { uuid: string }) => r.uuid)).toEqual([people.B!.uuid]);
    expect(answer.json.next).toBeNull();
    expect(answer.json.count).toBe(1);
    expect((await call(sb, `${P}/?distinct_id=b-sec`)).json).toEqual({ results: [], next: null, previous: null });
    expect(await names(`distinct_id=b&${filterQuery([{ key: 'plan', value: 'free' }])}`)).toEqual([]);
  });

  it('searches email, name, uuid and distinct ids, case-insensitively and trimmed', async () => {
    expect(await names('search=ALI')).toEqual(['A']);
    expect(await names('search=%20%20bob%20')).toEqual(['B']);
    expect(await names('search=B-SEC')).toEqual(['B']);
    expect(await names(`search=${people.C!.uuid.slice(9, 23)}`)).toEqual(['C']);
    expect(await names('search=elf')).toEqual(['G']);
  });

  it('resolves a full email or UUID exactly first (fast path), else searches fuzzily', async () => {
    expect(await names('search=f%40x.com')).toEqual(['F']);
    expect(await names('search=f%40x.com&offset=0&limit=5&' + filterQuery([{ key: 'name', operator: 'is_set' }]))).toEqual(['F', 'G']);
    expect(await names('search=b%40x.com')).toEqual(['B']);
    expect(await names(`search=${people.D!.uuid.toUpperCase()}`)).toEqual(['D']);
  });
});
