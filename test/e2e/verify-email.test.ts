// verify by email: an email still resolves while any person holds it (the persons list's email
// filter, many emails a request), so the proof of an erasure by email is checked the same way.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runInProcess } from '../helpers/in-process.js';

let sandbox: Sandbox;
const uuid = (i: number) => `01930000-0000-7000-8000-${String(i).padStart(12, '0')}`;
const PEOPLE = [
  { uuid: uuid(1), distinctIds: ['ada-web'], properties: { email: 'ada@x.com' } },
  { uuid: uuid(2), distinctIds: ['ada-mobile'], properties: { email: 'ada@x.com' } },
  { uuid: uuid(3), distinctIds: ['grace'], properties: { email: 'grace@x.com' } },
];

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 0, writeLagMs: 0 });
});
beforeEach(() => {
  sandbox.setOptions({ deleteMode: 'sync', rateLimit: 0 });
  for (const p of PEOPLE) if (!sandbox.store.person(p.uuid)) sandbox.store.addPerson(p);
  sandbox.clearRequests();
});
afterAll(() => sandbox.close());

describe('verify --by email', () => {
  it('names the emails still held by a person (both persons of a shared email), exit 8, reads only', async () => {
    const result = await runInProcess(['verify', '--by', 'email', 'ada@x.com', 'grace@x.com', 'nobody@x.com', '-o', 'tsv', '--fields', 'identifier,kind,person_uuid'], { sandbox });
    expect(result.stdout).toBe(`ada@x.com\temail\t${uuid(1)} ${uuid(2)}\ngrace@x.com\temail\t${uuid(3)}\n`);
    expect(result.stderr).toContain('Checked 3 identifiers in 1 lookup: 1 gone, 2 still present.');
    expect(result.code).toBe(8);
    expect(sandbox.requests.every((q) => q.method === 'GET')).toBe(true);
  });

  it('after an erasure by email file, the same file verifies clean (exit 0) with a report row per email', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pp-verify-email-'));
    writeFileSync(join(dir, 'emails.csv'), 'email\nada@x.com\ngrace@x.com\n');
    const erased = await runInProcess(['delete', '--from-file', 'emails.csv', '--yes'], { sandbox, cwd: dir });
    expect(erased.code).toBe(0);
    const result = await runInProcess(['verify', '--from-file', 'emails.csv', '--report', 'verified.csv'], { sandbox, cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    const report = readFileSync(join(dir, 'verified.csv'), 'utf8').split('\r\n');
    expect(report.slice(1, 3).map((line) => line.split(',').slice(0, 4).join(','))).toEqual(['ada@x.com,email,,gone', 'grace@x.com,email,,gone']);
  });
});
