// The GDPR runbook (docs/gdpr-runbook.md) cannot drift from the tool: this test runs every shell
// block in it, in order, in one folder, against a sandbox, as a user would paste them into a
// terminal (bash, with `posthog-persons` on PATH as the built binary). Blocks are real processes
// on purpose: the runbook is shell (pipes, redirections, `wc`, loops), and Ctrl-C and typed
// confirmations need a process and a terminal.
//
// An HTML comment right before a block (invisible on GitHub) says what the block needs:
//   <!-- runbook: sandbox --latency 500 -->   the harness (re)starts the sandbox with these flags
//                                            instead of running the block (it never ends); it knows
//                                            --latency, --persons, --seed, --delete-mode, --write-lag
//   <!-- runbook: exit 3 -->                 the expected exit code (default 0)
//   <!-- runbook: prints TEXT -->            stdout must contain TEXT
//   <!-- runbook: says TEXT -->              stdout or stderr must contain TEXT
//   <!-- runbook: type 100 -->               run on a terminal and type 100 at the prompt
//   <!-- runbook: interrupt-when FILE TEXT --> press Ctrl-C once the file FILE holds TEXT (a journal
//                                            with its first batch, so the run is under way)
//   <!-- runbook: fresh-sandbox -->          restart the sandbox (all persons back) before the block
//   <!-- runbook: before SHELL -->           run SHELL first, unseen by the reader (fixtures)
//   <!-- runbook: skip REASON -->            not run; REASON is required
//   <!-- runbook: rows FILE N -->            after the block, the report FILE holds N rows (CSV
//                                            records after the header, or JSON Lines lines)
//   <!-- runbook: one-hash -->               stdout holds at least two SHA-256 hashes, all the same
//                                            (a hash the tool prints, recomputed by another tool)
// Several directives go in one comment, separated by " | " (so a `before` writes its pipes `a|b`).
// RUNBOOK_SHOW=1 prints what each block printed (for whoever edits the runbook's text).
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { SANDBOX_KEYS, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { BIN, tempConfigDir } from '../helpers/cli.js';

const RUNBOOK = resolve(__dirname, '../../docs/gdpr-runbook.md');

interface Block {
  line: number;
  code: string;
  directives: Map<string, string[]>;
}

/** The runbook's ```sh blocks with the directives of the comment right above each. */
function runbookBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*```(sh|bash|shell)\s*$/.test(lines[i]!)) continue;
    const indent = lines[i]!.match(/^\s*/)![0];
    const start = i;
    const code: string[] = [];
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]!); i++) code.push(lines[i]!.startsWith(indent) ? lines[i]!.slice(indent.length) : lines[i]!);
    const directives = new Map<string, string[]>();
    let k = start - 1;
    while (k >= 0 && lines[k]!.trim() === '') k--;
    const comment = k >= 0 ? /^\s*<!--\s*runbook:\s*(.*?)\s*-->\s*$/.exec(lines[k]!) : null;
    if (comment) {
      for (const part of comment[1]!.split(' | ')) {
        const [name, ...rest] = part.trim().split(' ');
        directives.set(name!, [...(directives.get(name!) ?? []), rest.join(' ')]);
      }
    }
    blocks.push({ line: start + 1, code: code.join('\n'), directives });
  }
  return blocks;
}

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

const dir = mkdtempSync(join(tmpdir(), 'pp-runbook-'));
const binDir = join(dir, '.bin');
mkdirSync(binDir);
writeFileSync(join(binDir, 'posthog-persons'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n`);
chmodSync(join(binDir, 'posthog-persons'), 0o755);
const configDir = tempConfigDir();

let sandbox: Sandbox | undefined;
afterAll(async () => {
  await sandbox?.close();
});

function env(): NodeJS.ProcessEnv {
  return {
    PATH: `${binDir}:${process.env.PATH}`,
    HOME: process.env.HOME,
    LANG: 'C.UTF-8',
    TERM: 'xterm',
    COLUMNS: '120',
    POSTHOG_PERSONS_CONFIG_DIR: configDir,
    POSTHOG_PERSONS_BACKOFF_MS: '20',
    ...(sandbox ? { POSTHOG_HOST: sandbox.url, POSTHOG_PROJECT_ID: String(sandbox.projectId), POSTHOG_PERSONAL_API_KEY: SANDBOX_KEYS.all.key } : {}),
  };
}

/** The sandbox command's flags the runbook uses, as startSandbox options. */
function sandboxOptions(flags: string): Parameters<typeof startSandbox>[0] {
  const options: Record<string, number | string> = {};
  const words = flags.split(/\s+/).filter(Boolean);
  for (let i = 0; i < words.length; i += 2) {
    const value = words[i + 1]!;
    switch (words[i]) {
      case '--latency': options.latencyMs = Number(value); break;
      case '--persons': options.persons = Number(value); break;
      case '--seed': options.seed = Number(value); break;
      case '--delete-mode': options.deleteMode = value; break;
      case '--write-lag': options.writeLagMs = Number(value); break;
      default: throw new Error(`the runbook harness does not know the sandbox flag ${words[i]}`);
    }
  }
  return options as Parameters<typeof startSandbox>[0];
}

function shell(script: string, opts: { interruptWhen?: string; type?: string }): Promise<Outcome> {
  // As pasted into a terminal: every line runs, the block's status is its last command's. A
  // command that fails on the way shows up as "error:" on stderr, which the test rejects unless
  // the block expects a non-zero exit.
  const wrapped = `set -o pipefail\n${script}`;
  const terminal = opts.type !== undefined;
  const child = terminal
    ? spawn('script', ['-qefc', `stty cols 120 rows 40; exec bash -c ${shellQuote(wrapped)}`, '/dev/null'], { cwd: dir, env: env(), stdio: ['pipe', 'pipe', 'pipe'], detached: true })
    : spawn('bash', ['-c', wrapped], { cwd: dir, env: env(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  let interrupted = false;
  let typed = false;
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 60_000);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (terminal && !typed && /Type \d[\d,]* to /.test(stdout)) {
        typed = true;
        child.stdin!.write(`${opts.type}\r`);
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const [file, ...text] = (opts.interruptWhen ?? '').split(' ');
    const poll =
      opts.interruptWhen === undefined
        ? undefined
        : setInterval(() => {
            let content = '';
            try {
              content = readFileSync(join(dir, file!), 'utf8');
            } catch {
              return;
            }
            if (!interrupted && content.includes(text.join(' '))) {
              interrupted = true;
              process.kill(-child.pid!, 'SIGINT');
            }
          }, 20);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      resolvePromise({ code, stdout: stdout.replace(/\r\n/g, '\n'), stderr });
    });
  });
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

const blocks = runbookBlocks(readFileSync(RUNBOOK, 'utf8'));

// A misspelt directive would otherwise be ignored, and the claim it was meant to pin go unchecked.
const DIRECTIVES = ['sandbox', 'exit', 'prints', 'says', 'type', 'interrupt-when', 'fresh-sandbox', 'before', 'skip', 'rows', 'one-hash'];

/** The rows of a report the tool wrote: JSON Lines lines, or CSV records after the header. */
function reportRows(path: string): number {
  const text = readFileSync(path, 'utf8');
  if (path.endsWith('.jsonl')) return text.split('\n').filter((line) => line.trim() !== '').length;
  return parse(text).length - 1;
}

describe('docs/gdpr-runbook.md, every block in order against the sandbox', () => {
  it('has blocks to run, and every skipped block says why', () => {
    expect(blocks.filter((b) => !b.directives.has('skip') && !b.directives.has('sandbox')).length).toBeGreaterThan(10);
    for (const block of blocks) for (const reason of block.directives.get('skip') ?? []) expect(reason, `line ${block.line}`).not.toBe('');
    for (const block of blocks) for (const name of block.directives.keys()) expect(DIRECTIVES, `the directive "${name}" at line ${block.line}`).toContain(name);
  });

  for (const block of blocks) {
    const title = `line ${block.line}: ${block.code.split('\n')[0]}`;
    if (block.directives.has('skip')) {
      it.skip(`${title} (${block.directives.get('skip')![0]})`, () => undefined);
      continue;
    }
    it(title, async () => {
      const sandboxFlags = block.directives.get('sandbox');
      if (sandboxFlags !== undefined) {
        await sandbox?.close();
        sandbox = await startSandbox({ port: 0, ...sandboxOptions(sandboxFlags[0]!) });
        return;
      }
      if (block.directives.has('fresh-sandbox')) {
        await sandbox?.close();
        sandbox = await startSandbox({ port: 0 });
      }
      for (const setup of block.directives.get('before') ?? []) {
        const prepared = await shell(setup, {});
        expect(prepared.code, `${setup}\n${prepared.stderr}`).toBe(0);
      }
      const outcome = await shell(block.code, { interruptWhen: block.directives.get('interrupt-when')?.[0], type: block.directives.get('type')?.[0] });
      if (process.env.RUNBOOK_SHOW) process.stdout.write(`\n--- line ${block.line}, exit ${outcome.code}\n${outcome.stdout}--- stderr\n${outcome.stderr}`);
      const expected = Number(block.directives.get('exit')?.[0] ?? 0);
      expect(outcome.code, `exit code of the block at line ${block.line}\nstdout:\n${outcome.stdout}\nstderr:\n${outcome.stderr}`).toBe(expected);
      if (expected === 0) expect(outcome.stderr, `a command of the block at line ${block.line} failed`).not.toMatch(/^error:/m);
      for (const text of block.directives.get('prints') ?? []) expect(outcome.stdout).toContain(text);
      for (const text of block.directives.get('says') ?? []) expect(outcome.stdout + outcome.stderr).toContain(text);
      if (block.directives.has('one-hash')) {
        const hashes = outcome.stdout.match(/\b[0-9a-f]{64}\b/g) ?? [];
        expect(hashes.length, `SHA-256 hashes printed by the block at line ${block.line}`).toBeGreaterThanOrEqual(2);
        expect(new Set(hashes).size, `different hashes printed by the block at line ${block.line}: ${hashes.join(' ')}`).toBe(1);
      }
      for (const rows of block.directives.get('rows') ?? []) {
        const [file, count] = rows.split(' ');
        expect(reportRows(join(dir, file!)), `rows of ${file} after the block at line ${block.line}`).toBe(Number(count));
      }
    }, 90_000);
  }
});
