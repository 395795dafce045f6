// list --all at PostHog's ceiling: 1,000 persons a request unless --page-size says otherwise, and
// offset paging while the project changes made visible: a person met on two pages is printed once
// (and counted on stderr), and a total that moved between the first and the last page is reported.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runInProcess } from '../helpers/in-process.js';

let sandbox: Sandbox;
const listRequests = () => sandbox.requests.filter((q) => q.route === 'list');

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 2500, seed: 3, writeLagMs: 0 });
});
beforeEach(() => sandbox.clearRequests());
afterAll(() => sandbox.close());

describe('list --all page size', () => {
  it('asks for 1,000 persons a page by default: 2,500 persons in 3 requests', async () => {
    const r = await runInProcess(['list', '--all', '--fields', 'uuid'], { sandbox });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(new Set(r.stdout.trim().split('\n')).size).toBe(2500);
    expect(listRequests().map((q) => [q.query.limit, q.query.offset ?? '0'])).toEqual([
      ['1000', '0'],
      ['1000', '1000'],
      ['1000', '2000'],
    ]);
  });

  it('--page-size still decides when given', async () => {
    const r = await runInProcess(['list', '--all', '--page-size', '500', '--fields', 'uuid'], { sandbox });
    expect(r.code).toBe(0);
    expect(listRequests()).toHaveLength(6); // 5 full pages, then the empty one that ends the listing
  });

  it('without --all the default stays 100', async () => {
    await runInProcess(['list', '--fields', 'uuid'], { sandbox });
    expect(listRequests().map((q) => q.query.limit)).toEqual(['100']);
  });
});

describe('list --all while the project changes', () => {
  let moving: Sandbox;
  beforeEach(async () => {
    moving = await startSandbox({ persons: 30, seed: 5, writeLagMs: 0 });
  });
  afterEach(() => moving.close());

  it('persons created during the listing push others onto the next page: each is printed once, and the moved total is reported', async () => {
    let pages = 0;
    moving.afterAnswer((entry) => {
      // Three new persons (the newest, so first in the order) arrive while the first page is read.
      if (entry.route === 'list' && ++pages === 1) for (let i = 0; i < 3; i++) moving.store.addPerson({ distinctIds: [`late-${i}`] });
    });
    const before = moving.store.persons().map((p) => p.uuid);
    const r = await runInProcess(['list', '--all', '--page-size', '10', '--fields', 'uuid'], { sandbox: moving });
    expect(r.code).toBe(0);
    const printed = r.stdout.trim().split('\n');
    expect(printed).toHaveLength(30);
    expect(new Set(printed)).toEqual(new Set(before));
    expect(r.stderr).toBe(
      '3 persons appeared on two pages and were printed once.\n' +
        'The project changed during the listing: 30 persons at the start, 33 at the end; this is not a snapshot.\n',
    );
  });

  it('persons deleted during the listing: nothing printed twice, but the total moved, so it is reported', async () => {
    let pages = 0;
    moving.afterAnswer((entry) => {
      if (entry.route === 'list' && ++pages === 1) for (const p of moving.store.persons().slice(0, 2)) moving.store.removePerson(p.uuid);
    });
    const r = await runInProcess(['list', '--all', '--page-size', '10', '--fields', 'uuid'], { sandbox: moving });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('The project changed during the listing: 30 persons at the start, 28 at the end; this is not a snapshot.\n');
  });

  it('a project that holds still: nothing on stderr, and the total was asked for', async () => {
    const r = await runInProcess(['list', '--all', '--page-size', '10', '--fields', 'uuid'], { sandbox: moving });
    expect(r.stderr).toBe('');
    expect(moving.requests[0]!.query).toHaveProperty('include_total');
  });
});
