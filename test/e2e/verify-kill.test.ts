// An erasure killed mid-run (SIGKILL of the real binary) and resumed keeps one unbroken hash chain
// across both runs; `verify --journal` then finds every person gone without sending a write, and
// one byte changed in the journal makes it exit 1 naming the line.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { checkChain } from '../../src/bulk/journal/chain.js';
import { useBulkSandbox } from '../helpers/bulk-sandbox.js';
import { BIN, cliEnv } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { waitForBatches } from '../helpers/journal-watch.js';

let sandbox: Sandbox;
const PERSONS = 600;
const { did } = useBulkSandbox(PERSONS, 'vkill', '193', (started) => (sandbox = started));

describe('a killed and resumed erasure, verified', () => {
  it('one chain across both runs, verify --journal exit 0 with no write; a changed byte exits 1 naming the line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pp-verify-kill-'));
    const ids = [...Array.from({ length: PERSONS }, (_, i) => did(i)), ...Array.from({ length: 50 }, (_, i) => `never-${i}`)];
    writeFileSync(join(dir, 'ids.txt'), `${ids.join('\n')}\n${ids.slice(0, 20).join('\n')}\n`);
    const journal = join(dir, 'ids.txt.delete.journal.jsonl');
    const args = ['delete', '--from-file', 'ids.txt', '--yes', '--batch-size', '50', '--concurrency', '2'];
    sandbox.setOptions({ latencyMs: 60 });
    const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv({ sandbox }), cwd: dir, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
    await waitForBatches(journal, 2);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    sandbox.setOptions({ latencyMs: 0 });

    const resumed = await runInProcess([...args, '--resume'], { sandbox, cwd: dir });
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).not.toContain('hash-chained');
    const chain = await checkChain(journal);
    expect(chain).toMatchObject({ ok: true, unchained: 0 });
    const lines = readFileSync(journal, 'utf8').split('\n').slice(0, -1);
    expect(lines.filter((l) => JSON.parse(l).type === 'run')).toHaveLength(2);

    sandbox.clearRequests();
    const verified = await runInProcess(['verify', '--journal', journal], { sandbox, cwd: dir });
    expect(verified.code).toBe(0);
    expect(verified.stdout).toBe('');
    expect(verified.stderr).toContain('Runs: 2\n');
    expect(verified.stderr).toContain(`Checked 600 identifiers in 3 lookups: 600 gone, 0 still present.\n`);
    expect(sandbox.requests.map((q) => q.route)).toEqual(Array(3).fill('batch_by_distinct_ids'));

    // One byte of the third line (a batch) changed: the fourth no longer follows it.
    const bytes = readFileSync(journal);
    const at = lines[0]!.length + lines[1]!.length + 2 + lines[2]!.indexOf('vkill-') + 7;
    bytes[at] = bytes[at]! ^ 0x01;
    writeFileSync(journal, bytes);
    sandbox.clearRequests();
    const tampered = await runInProcess(['verify', '--journal', journal], { sandbox, cwd: dir });
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toContain("error: the journal's hash chain is broken: line 4 does not follow line 3: the journal was changed after it was written");
    expect(sandbox.requests.every((q) => q.route === 'batch_by_distinct_ids')).toBe(true);
  });
});
