import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, uuidFromDistinctId, type Sandbox } from '../../src/sandbox/index.js';
import { stripAnsi } from '../helpers/cli.js';
// --wait polls on the CLI's clock: a fake one lets a second of waiting pass at once.
import { fakeClock } from '../helpers/fake-clock.js';
import { ON_A_TERMINAL, runInProcess, screenOf } from '../helpers/in-process.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ persons: 5, writeLagMs: 0 });
});
beforeEach(() => {
  sandbox.setOptions({ writeLagMs: 0 });
  sandbox.clearRequests();
});
afterAll(() => sandbox.close());

// A split changes the person, so every test gets its own merged person.
let n = 0;
function mergedPerson(ids = ['main', 'laptop', 'phone', 'tablet']): { uuid: string; ids: string[] } {
  n++;
  const uuid = `01900000-0000-7000-8000-${String(n).padStart(12, '0')}`;
  const distinctIds = ids.map((id) => `${id}-${n}`);
  sandbox.store.addPerson({ uuid, distinctIds, properties: { name: `Merged ${n}` }, createdAt: '2025-01-01T00:00:00.000Z' });
  sandbox.clearRequests();
  return { uuid, ids: distinctIds };
}
const splitBodies = () => sandbox.writes().map((q) => [q.route, q.path, q.body]);
const ownerOf = (id: string) => sandbox.store.byDistinctId(id)?.uuid;

describe('split (piped, with --yes)', () => {
  it('--keep sends main_distinct_id after resolving the person; the others move to new persons', async () => {
    const { uuid, ids } = mergedPerson();
    const r = await runInProcess(['split', ids[1]!, '--keep', ids[0]!, '--yes'], { sandbox });
    expect(r).toMatchObject({
      code: 0,
      stdout: '',
      stderr:
        `Queued: split person ${uuid} (${ids[1]}): 3 distinct_ids move to new persons ("${ids[1]}", "${ids[2]}", "${ids[3]}"); "${ids[0]}" stays. ` +
        'PostHog runs splits in the background, within seconds to minutes; add --wait to wait for it.\n',
    });
    expect(sandbox.requests.map((q) => q.route)).toEqual(['list', 'retrieve', 'split']);
    expect(splitBodies()).toEqual([['split', `/api/projects/1/persons/${uuid}/split/`, { main_distinct_id: ids[0] }]]);
    expect(ownerOf(ids[0]!)).toBe(uuid);
    for (const id of ids.slice(1)) expect(ownerOf(id)).toBe(uuidFromDistinctId(1, id));
  });

  it('--only sends distinct_ids_to_split (commas and repeats); -o json says what stays and what moves', async () => {
    const { uuid, ids } = mergedPerson();
    const r = await runInProcess(['split', uuid, '--only', `${ids[1]},${ids[2]}`, '--only', ids[3]!, '--yes', '-o', 'json'], { sandbox });
    expect(r.code).toBe(0);
    expect(splitBodies()).toEqual([['split', `/api/projects/1/persons/${uuid}/split/`, { distinct_ids_to_split: [ids[1], ids[2], ids[3]] }]]);
    expect(JSON.parse(r.stdout)).toEqual({ person: uuid, kept: [ids[0]], moved: [ids[1], ids[2], ids[3]], status: 'queued' });
    expect(r.stderr).toBe(
      `Queued: split person ${uuid} (${ids[0]}): 3 distinct_ids move to new persons ("${ids[1]}", "${ids[2]}", "${ids[3]}"); "${ids[0]}" stays. ` +
        'PostHog runs splits in the background, within seconds to minutes; add --wait to wait for it.\n',
    );
  });

  it('--only takes a distinct_id that contains a comma whole', async () => {
    const { uuid } = mergedPerson(['main', 'smith,john']);
    const r = await runInProcess(['split', uuid, '--only', `smith,john-${n}`, '--yes'], { sandbox });
    expect(r.code).toBe(0);
    expect(splitBodies()).toEqual([['split', `/api/projects/1/persons/${uuid}/split/`, { distinct_ids_to_split: [`smith,john-${n}`] }]]);
  });

  it('neither flag: the first distinct_id stays and is sent as main_distinct_id (never an empty body)', async () => {
    const { uuid, ids } = mergedPerson(['main', 'laptop']);
    const r = await runInProcess(['-q', 'split', uuid, '-y', '-o', 'tsv'], { sandbox });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(`${uuid}\t["${ids[0]}"]\t["${ids[1]}"]\tqueued\n`);
    expect(splitBodies()).toEqual([['split', `/api/projects/1/persons/${uuid}/split/`, { main_distinct_id: ids[0] }]]);
    expect(ownerOf(ids[0]!)).toBe(uuid);
    expect(ownerOf(ids[1]!)).toBe(uuidFromDistinctId(1, ids[1]!));
  });

  it('warns when the first distinct_id would be split off', async () => {
    const { uuid, ids } = mergedPerson(['main', 'laptop']);
    const r = await runInProcess(['split', uuid, '--keep', ids[1]!, '--yes'], { sandbox });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `warning: "${ids[0]}" is the person's first distinct_id and would move to a new person; PostHog has reported that ` +
        `splitting off a person's first distinct_id can leave the person blank. To keep it, use --keep ${ids[0]}.\n` +
        `Queued: split person ${uuid} (${ids[0]}): 1 distinct_id moves to a new person ("${ids[0]}"); "${ids[1]}" stays. ` +
        'PostHog runs splits in the background, within seconds to minutes; add --wait to wait for it.\n',
    );
    expect(sandbox.writes()).toHaveLength(1);
  });

  it('is never retried: a 502 on split exits 1 after exactly one split request', async () => {
    const { uuid, ids } = mergedPerson();
    sandbox.script({ method: 'POST', path: /\/split\/?$/, kind: 'status', status: 502 });
    const r = await runInProcess(['split', uuid, '--keep', ids[0]!, '--yes'], { sandbox });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('502');
    expect(sandbox.requests.filter((q) => q.route === 'split')).toHaveLength(1);
  });

  it('--wait polls each moved distinct_id until it resolves to another person', async () => {
    sandbox.setOptions({ writeLagMs: 800 });
    const { uuid, ids } = mergedPerson(['main', 'laptop', 'phone']);
    const r = await runInProcess(['split', uuid, '--keep', ids[0]!, '--yes', '--wait', '-o', 'jsonl'], { sandbox });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`{"person":"${uuid}","kept":["${ids[0]}"],"moved":["${ids[1]}","${ids[2]}"],"status":"visible"}\n`);
    // Each round stops at the first id still on the person; once it has moved, the next is asked.
    const polls = sandbox.requests.filter((q) => q.route === 'list').map((q) => q.query.distinct_id);
    expect(polls.length).toBeGreaterThan(2);
    expect(polls.slice(0, -1).every((id) => id === ids[1])).toBe(true);
    expect(polls.at(-1)).toBe(ids[2]);
  });

  it('--wait=1 gives up when the split has not run: exit 1', async () => {
    sandbox.setOptions({ writeLagMs: 60_000 });
    const { uuid, ids } = mergedPerson(['main', 'laptop']);
    const r = await runInProcess(['split', uuid, '--keep', ids[0]!, '--yes', '--wait=1'], { sandbox, clock: fakeClock() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: the change was accepted but not visible after 1 s');
  });
});

describe('split: validation', () => {
  it('without a terminal and without --yes: exit 2 before any request', async () => {
    const { uuid, ids } = mergedPerson();
    const r = await runInProcess(['split', uuid, '--keep', ids[0]!], { sandbox });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: refusing to split a person without confirmation: there is no terminal to confirm on\n' +
        'Pass --yes to confirm, or --dry-run to see what would happen without sending anything.\n',
    );
    expect(sandbox.requests).toHaveLength(0);
  });

  it('an unknown distinct_id exits 2 naming it, after only reads', async () => {
    const { uuid, ids } = mergedPerson();
    const r = await runInProcess(['split', uuid, '--only', `${ids[1]},ghost-device`, '--yes'], { sandbox });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: --only: distinct_id "ghost-device" is not on person ${uuid}`);
    expect(r.stderr).toContain(`Its distinct_ids: "${ids[0]}", "${ids[1]}", "${ids[2]}", "${ids[3]}".`);
    expect(sandbox.requests.map((q) => q.method)).toEqual(['GET']);
    const keep = await runInProcess(['split', uuid, '--keep', 'nope', '--yes'], { sandbox });
    expect(keep.code).toBe(2);
    expect(keep.stderr).toContain('error: --keep: distinct_id "nope" is not on person');
    expect(sandbox.writes()).toHaveLength(0);
  });

  it('a person with one distinct_id cannot be split: exit 2, no write', async () => {
    const { uuid, ids } = mergedPerson(['solo']);
    const r = await runInProcess(['split', ids[0]!, '--yes'], { sandbox });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: person ${uuid} (${ids[0]}) cannot be split: it has only one distinct_id ("${ids[0]}")`);
    expect(sandbox.writes()).toHaveLength(0);
  });

  it('--only naming every distinct_id is refused (the person would keep none)', async () => {
    const { uuid, ids } = mergedPerson(['main', 'laptop']);
    const r = await runInProcess(['split', uuid, '--only', ids.join(','), '--yes'], { sandbox });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--only names every distinct_id');
    expect(sandbox.writes()).toHaveLength(0);
  });

  it.each([
    [['split', 'x', '--keep', 'a', '--only', 'b', '--yes'], '--keep and --only cannot be used together'],
    [['split', 'x', '--only', 'a,,b', '--yes'], '--only "a,,b" has an empty distinct_id'],
    [['split', 'x', '--keep', '', '--yes'], '--keep is empty'],
    [['split', 'x', '--yes', '--by', 'uuid'], '"x" is not a UUID (--by uuid)'],
    [['split', 'x', '--yes', '--wait=soon'], '--wait takes a whole number of seconds'],
    [['split', 'x', '--yes', '-o', 'yaml'], 'yaml'],
    [['split', '--yes'], "missing required argument 'person'"],
  ])('bad input %j exits 2 with no request', async (args, message) => {
    const r = await runInProcess(args, { sandbox });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(sandbox.requests).toHaveLength(0);
  });
});

describe('split --dry-run', () => {
  it('describes the split and sends no write (no --yes needed)', async () => {
    const { uuid, ids } = mergedPerson();
    const r = await runInProcess(['split', ids[2]!, '--keep', ids[0]!, '--dry-run'], { sandbox });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `Dry run: would split person ${uuid} (${ids[2]}): 3 distinct_ids move to new persons ("${ids[1]}", "${ids[2]}", "${ids[3]}"); ` +
        `"${ids[0]}" stays. Nothing was sent.\n`,
    );
    expect(sandbox.writes()).toHaveLength(0);
  });

  it('-o json gives the plan with status dry-run', async () => {
    const { uuid, ids } = mergedPerson(['main', 'laptop']);
    const r = await runInProcess(['split', uuid, '--dry-run', '-o', 'json'], { sandbox });
    expect(JSON.parse(r.stdout)).toEqual({ person: uuid, kept: [ids[0]], moved: [ids[1]], status: 'dry-run' });
    expect(r.stderr).toContain(`"${ids[0]}" stays (the first distinct_id, sent as main_distinct_id)`);
    expect(sandbox.writes()).toHaveLength(0);
  });

  it('with identified and anonymous ids, the first listed (identified) one stays and is sent as main_distinct_id', async () => {
    n++;
    const uuid = `01900000-0000-7000-8000-${String(n).padStart(12, '0')}`;
    const anon = '6a1f3c2e-1111-4222-8333-9444555566' + String(n).padStart(2, '0');
    sandbox.store.addPerson({ uuid, distinctIds: [anon, `named-${n}`], createdAt: '2025-01-01T00:00:00.000Z' });
    const dry = await runInProcess(['split', uuid, '--dry-run', '-o', 'json'], { sandbox });
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toEqual({ person: uuid, kept: [`named-${n}`], moved: [anon], status: 'dry-run' });
    expect(sandbox.writes()).toHaveLength(0);
    const r = await runInProcess(['split', uuid, '--yes'], { sandbox });
    expect(r.code).toBe(0);
    expect(sandbox.writes().map((w) => w.body)).toEqual([{ main_distinct_id: `named-${n}` }]);
  });
});

describe('split on a terminal', () => {
  it('asks, describing exactly what moves; "y" splits', async () => {
    const { uuid, ids } = mergedPerson();
    // wide enough that the prompt stays on one line
    const t = await runInProcess(['split', uuid, '--keep', ids[0]!], { sandbox, ...ON_A_TERMINAL, width: 300, stdin: 'y\r' });
    expect(t.code).toBe(0);
    const screen = stripAnsi(screenOf(t));
    expect(screen).toContain(
      `Split person ${uuid} (${ids[0]}): 3 distinct_ids move to new persons ("${ids[1]}", "${ids[2]}", "${ids[3]}"); "${ids[0]}" stays. Continue? [y/N]`,
    );
    expect(screen).toContain(`Queued: split person ${uuid} (${ids[0]}): 3 distinct_ids move to new persons`);
    expect(splitBodies()).toEqual([['split', `/api/projects/1/persons/${uuid}/split/`, { main_distinct_id: ids[0] }]]);
  });

  it('declining exits 3 and sends no write', async () => {
    const { uuid, ids } = mergedPerson();
    const t = await runInProcess(['split', uuid, '--only', ids[1]!], { sandbox, ...ON_A_TERMINAL, stdin: 'n\r' });
    expect(t.code).toBe(3);
    expect(stripAnsi(screenOf(t))).toContain('Cancelled.');
    expect(sandbox.requests.map((q) => q.route)).toEqual(['retrieve']);
  });

  it('--no-input on a terminal still needs --yes', async () => {
    const { uuid, ids } = mergedPerson();
    const t = await runInProcess(['--no-input', 'split', uuid, '--keep', ids[0]!], { sandbox, ...ON_A_TERMINAL });
    expect(t.code).toBe(2);
    expect(sandbox.requests).toHaveLength(0);
  });
});
