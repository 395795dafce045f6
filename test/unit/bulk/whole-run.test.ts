// A resumed run's summary sums every run of the journal: done batches through the operation's
// tally, failures only for identifiers no later batch did, runs of other operations left out.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replayJournal } from '../../../src/bulk/engine/whole-run.js';
import { DeleteTally } from '../../../src/bulk/engine/summary.js';

const HOST = 'https://eu.posthog.com';
const header = (run_id: string, host = HOST) => ({ type: 'run', version: 1, run_id, started_at: 'T', command: 'delete', host, project: '7', flags: {} });
const batch = (run_id: string, ids: string[], status: string, response: object | null = null) => ({ type: 'batch', run_id, time: 'T', batch: 1, ids, by: 'distinct_id', status, http_status: status === 'done' ? 202 : 503, response });

describe('replayJournal', () => {
  it('counts a failure later done once, as done; a failure never retried as failed; other hosts not at all', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pp-whole-')), 'j.jsonl');
    const lines = [
      header('r1'),
      batch('r1', ['a', 'b'], 'done', { persons_found: 1, persons_deleted: 1, persons_queued_for_deletion: 0, deletion_errors: [] }),
      batch('r1', ['c', 'd'], 'failed'),
      batch('r1', ['e'], 'failed'),
      header('other', 'http://127.0.0.1:8010'),
      batch('other', ['x', 'y', 'z'], 'done', { persons_found: 3, persons_deleted: 3, persons_queued_for_deletion: 0, deletion_errors: [] }),
      header('r2'),
      batch('r2', ['c', 'd'], 'done', { persons_found: 2, persons_deleted: 2, persons_queued_for_deletion: 0, deletion_errors: [] }),
    ];
    writeFileSync(path, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const tally = new DeleteTally();
    expect(await replayJournal(path, { command: 'delete', host: HOST, project: '7' }, tally)).toBe(2);
    const summary = tally.toJSON('distinct_id', { outcome: 'completed', requested: 6, skipped: 0, batches: { done: 1, failed: 0 } }, { deleteEvents: false, deleteRecordings: false });
    expect(summary).toMatchObject({ requested: 6, accepted: 4, found: 3, deleted: 3, not_found: 1, failed: 1, not_sent: 1 });
  });
});
