import { mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { checkReportPath, openReport } from '../../../src/bulk/report/report-file.js';

const row = (identifier: string, extra: Record<string, unknown> = {}) => ({
  identifier,
  kind: 'distinct_id',
  person_uuid: null,
  outcome: 'not_found',
  batch: 1,
  time: '2026-12-05T09:00:00.000Z',
  http_status: 202,
  ...extra,
});

describe('report file', () => {
  it('writes CSV that Python reads back one record per identifier, a bare LF included', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'report-'));
    const path = join(dir, 'r.csv');
    const report = await openReport(path);
    await report.write(row('a\nb'));
    await report.write(row(' spaced ', { person_uuid: ['u1', 'u2'], outcome: 'deleted' }));
    expect(await report.commit()).toBe(2);
    const parsed = execFileSync('python3', ['-c', 'import csv,sys,json; print(json.dumps(list(csv.reader(open(sys.argv[1], newline="")))))', path], { encoding: 'utf8' });
    const rows = JSON.parse(parsed) as string[][];
    expect(rows[0]).toEqual(['identifier', 'kind', 'person_uuid', 'outcome', 'batch', 'time', 'http_status']);
    expect(rows.slice(1).map((r) => [r[0], r[2], r[3]])).toEqual([
      ['a\nb', '', 'not_found'],
      [' spaced ', 'u1 u2', 'deleted'],
    ]);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await readdir(dir)).sort()).toEqual(['r.csv']);
  });

  it('writes JSON Lines for a .jsonl path, with extra columns after the standard ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'report-'));
    const path = join(dir, 'r.jsonl');
    const report = await openReport(path, { extra: ['project'] });
    await report.write(row('x', { project: '2', person_uuid: ['u1'] }));
    await report.commit();
    const text = await readFile(path, 'utf8');
    expect(text).toBe('{"identifier":"x","kind":"distinct_id","person_uuid":["u1"],"outcome":"not_found","batch":1,"time":"2026-12-05T09:00:00.000Z","http_status":202,"project":"2"}\n');
  });

  it('abort leaves no file behind and keeps the previous report', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'report-'));
    const path = join(dir, 'r.csv');
    const first = await openReport(path);
    await first.write(row('kept'));
    await first.commit();
    const second = await openReport(path);
    await second.write(row('lost'));
    await second.abort();
    expect(await readFile(path, 'utf8')).toContain('kept');
    expect(await readdir(dir)).toEqual(['r.csv']);
  });

  it('refuses to replace a file that is not a report of its own, and a missing folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'report-'));
    const other = join(dir, 'notes.csv');
    await writeFile(other, 'name,email\nx,y\n');
    await expect(checkReportPath(other)).rejects.toThrow(/is not a posthog-persons report/);
    await expect(checkReportPath(join(dir, 'missing', 'r.csv'))).rejects.toThrow(/does not exist/);
    const own = join(dir, 'own.csv');
    const report = await openReport(own);
    await report.commit();
    await expect(checkReportPath(own)).resolves.toBeUndefined();
  });
});
