// What a bulk run reports from PostHog's answers: the sync and async bulk_delete summaries, an old
// server's empty body, deletion_errors (exit 7 even when every request succeeded), and the exit
// code each outcome maps to.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ApiError, ExitCode } from '../../../src/errors.js';
import type { Factory } from '../../../src/factory.js';
import type { InputRow } from '../../../src/bulk/input/read-input.js';
import { runSession, type SessionOptions } from '../../../src/bulk/engine/session.js';
import { DeleteTally, formatDeleteSummary, WriteTally } from '../../../src/bulk/engine/summary.js';
import type { BatchReport } from '../../../src/bulk/engine/runner.js';

const FLAGS = { deleteEvents: true, deleteRecordings: false };
const run = { outcome: 'completed' as const, requested: 5, skipped: 0, batches: { done: 2, failed: 0 } };

function answered(ids: string[], response: unknown): BatchReport {
  return { ids, status: 'done', http_status: 202, response };
}

describe('DeleteTally', () => {
  it('sums sync and async answers; not found is identifiers sent minus persons found', () => {
    const tally = new DeleteTally();
    tally.add(answered(['a', 'b', 'c'], { persons_found: 2, persons_deleted: 2, persons_queued_for_deletion: 0, events_queued_for_deletion: true, deletion_errors: [] }));
    tally.add(answered(['d', 'e'], { persons_found: 2, persons_deleted: 0, persons_queued_for_deletion: 2, events_queued_for_deletion: true, deletion_errors: [] }));
    expect(tally.toJSON('distinct_id', run, FLAGS)).toMatchObject({
      requested: 5, accepted: 5, found: 4, deleted: 2, queued_for_deletion: 2, not_found: 1, failed: 0, not_sent: 0, events_queued_for_deletion: true,
    });
  });

  it('an empty 202 (old server): the found counts are null, never zero', () => {
    const tally = new DeleteTally();
    tally.add(answered(['a', 'b'], { persons_found: 2, persons_deleted: 2 }));
    tally.add(answered(['c'], null));
    const json = tally.toJSON('uuid', { ...run, requested: 3 }, FLAGS);
    expect(json).toMatchObject({ accepted: 3, found: null, deleted: null, queued_for_deletion: null, not_found: null, events_queued_for_deletion: null });
    expect(formatDeleteSummary(json)).toContain('This PostHog server answered without a summary: it accepted 3 identifiers, but what it found and deleted is unknown.');
  });

  it('failed batches and deletion_errors count as failed; identifiers never sent are not_sent', () => {
    const tally = new DeleteTally();
    tally.add(answered(['a'], { persons_found: 1, persons_deleted: 0, deletion_errors: [{ person_uuid: 'u-1' }] }));
    tally.add({ ids: ['b', 'c'], status: 'failed', http_status: 500, error: 'x' });
    const json = tally.toJSON('distinct_id', { ...run, outcome: 'partial', requested: 5 }, FLAGS);
    expect(json).toMatchObject({ failed: 3, not_sent: 2, deletion_errors: ['u-1'] });
    expect(formatDeleteSummary(json)).toContain('PostHog could not delete 1 person: u-1');
  });
});

describe('WriteTally', () => {
  it('counts queued, not found and failed rows', () => {
    const tally = new WriteTally();
    tally.add(answered(['a', 'b'], { outcome: 'queued' }));
    tally.add(answered(['c'], { outcome: 'not_found' }));
    tally.add({ ids: ['d'], status: 'failed', error: 'x' });
    expect(tally.toJSON('set-prop', 'distinct_id', run)).toMatchObject({ found: 2, queued: 2, not_found: 1, failed: 1, not_sent: 1 });
  });
});

describe('runSession: the exit code of each outcome', () => {
  function session(execute: SessionOptions['execute'], rows: InputRow[]) {
    let stdout = '';
    const out = new PassThrough();
    out.on('data', (d: Buffer) => (stdout += d.toString()));
    const errors: string[] = [];
    const factory = {
      io: { err: (l: string) => errors.push(l), stdout: out, stderrIsTTY: false },
      now: () => new Date('2025-01-01T00:00:00Z'),
      globals: () => ({}),
      onInterrupt: () => () => undefined,
      keepExitCodeOnBrokenPipe: () => undefined,
    } as unknown as Factory;
    const tally = new DeleteTally();
    const options: SessionOptions = {
      factory, rows, requested: rows.length, toSend: rows.length, by: 'uuid', batchSize: 1, concurrency: 1,
      journalOptions: { command: 'delete', host: 'h', project: '1', flags: {}, sameOnResume: [] },
      execute, tally, summarize: (r) => tally.toJSON('uuid', r, FLAGS), format: formatDeleteSummary, json: true, progressUnit: 'ids',
    };
    return { promise: runSession(options), errors, stdout: () => stdout };
  }
  const rows: InputRow[] = [{ id: 'u-1', line: 1 }];

  it('deletion_errors in an otherwise successful run: PartialFailure, exit 7', async () => {
    const s = session(async (b) => [answered(b.ids, { persons_found: 1, persons_deleted: 0, deletion_errors: [{ person_uuid: 'u-1' }] })], rows);
    await expect(s.promise).rejects.toMatchObject({ exitCode: ExitCode.partialFailure, message: 'PostHog could not delete 1 person (listed in deletion_errors)' });
    expect(JSON.parse(s.stdout())).toMatchObject({ failed: 1, deletion_errors: ['u-1'] });
  });

  it('without a journal (one named person) a failed request is reported as its own error', async () => {
    const error = new ApiError('PostHog answered 500: boom', { status: 500 });
    const s = session(async () => {
      throw error;
    }, rows);
    await expect(s.promise).rejects.toBe(error);
    expect(s.errors[0]).toBe('Failed, nothing was deleted (by uuid):');
  });
});
