import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SANDBOX_KEYS } from '../../src/sandbox/index.js';
import { BIN, cliEnv } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';

describe('posthog-persons sandbox', () => {
  it('serves generated persons, prints the env lines to use it, and stops on Ctrl-C', async () => {
    const child = spawn(process.execPath, [BIN, 'sandbox', '--port', '0', '--persons', '50', '--seed', '3'], {
      env: cliEnv({}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    await new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        if (stdout.split('\n').length > 3) resolve();
      });
    });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^export POSTHOG_HOST=http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines[1]).toBe('export POSTHOG_PROJECT_ID=1');
    expect(lines[2]).toMatch(/^export POSTHOG_PERSONAL_API_KEY=phx_\w+$/);
    const env = Object.fromEntries(lines.map((l) => l.replace(/^export /, '').split('=') as [string, string]));

    const count = await runInProcess(['list', '--count'], { env });
    expect(count).toMatchObject({ code: 0, stdout: '50\n' });
    const timeline = await runInProcess(['timeline', (await runInProcess(['list', '--limit', '1', '--fields', 'uuid'], { env })).stdout.trim(), '-o', 'json'], { env });
    expect(timeline.code).toBe(0); // the printed key has no scopes, so even properties_timeline works

    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stderr).toMatch(/Sandbox serving 50 persons at http:\/\/127\.0\.0\.1:\d+ \(project 1\)\. Ctrl-C stops it\./);
    expect(stderr).toContain(
      `Also project 2 "Staging" (8 persons) and environment 3 "Development" of project 1 (7 persons), some sharing distinct_ids with project 1 (\`projects\` lists them); a key limited to project 2: ${SANDBOX_KEYS.otherProject.key}.\n`,
    );
    expect(stderr).toContain('Sandbox stopped.');
  });

  it('--generation older: answers like an older PostHog (no deletion_status, an empty bulk_delete answer)', async () => {
    const child = spawn(process.execPath, [BIN, 'sandbox', '--port', '0', '--persons', '3', '--generation', 'older'], {
      env: cliEnv({}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    await new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        if (stdout.split('\n').length > 3) resolve();
      });
    });
    try {
      const env = Object.fromEntries(stdout.trim().split('\n').map((l) => l.replace(/^export /, '').split('=') as [string, string]));
      const uuid = (await runInProcess(['list', '--limit', '1', '--fields', 'uuid'], { env })).stdout.trim();
      const status = await runInProcess(['deletion-status'], { env });
      expect(status.code).toBe(1);
      expect(status.stderr).toContain('error: this PostHog server has no deletion_status endpoint (an older version)');
      const deleted = await runInProcess(['delete', uuid, '--yes'], { env });
      expect(deleted.code).toBe(0);
      expect(deleted.stderr).toMatch(/^Accepted: delete person [0-9a-f-]{36} \(.+\)\. This PostHog server's answer does not say what it found or deleted\.\n$/);
    } finally {
      child.kill('SIGINT');
      await new Promise((resolve) => child.on('close', resolve));
    }
    expect(stderr).toMatch(/\(project 1, answering like the older PostHog generation\)\. Ctrl-C stops it\./);
  });

  it('--generation with an unknown name exits 2', async () => {
    const r = await runInProcess(['sandbox', '--port', '0', '--generation', 'ancient']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("argument 'ancient' is invalid. Allowed choices are newest, mid, older.");
  });

  it('--sandbox runs one command against an in-process sandbox (the README quick start)', async () => {
    const r = await runInProcess(['--sandbox', 'list', '--limit', '5', '--fields', 'uuid,name']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toHaveLength(5);
  });

  it('--sandbox refuses explicit connection flags', async () => {
    const r = await runInProcess(['--sandbox', '--host', 'eu', 'list']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: --sandbox cannot be combined with --host\n');
  });
});

describe('pipes', () => {
  it('stops quietly with exit 0 when the reader closes the pipe early (| head)', async () => {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync('bash', ['-c', `set -o pipefail; '${process.execPath}' '${BIN}' --sandbox list --all | head -1 >/dev/null`], {
      env: cliEnv({}),
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
