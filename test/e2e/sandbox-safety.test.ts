// `sandbox`: a port already in use is a clear error naming --port (exit 2), the background
// example of `sandbox --help` really runs in a shell (it once hung forever), and the count of
// persons it serves is said in good English.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cliEnv, run } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';

describe('posthog-persons sandbox', () => {
  it('a port in use: exit 2, an error naming --port, no stack trace', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const r = await runInProcess(['sandbox', '--port', String(port)]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        `error: --port ${port}: the port is already in use on 127.0.0.1\n` +
          'Give another port with --port N, or --port 0 to take a free one.\n',
      );
    } finally {
      server.close();
    }
  });

  it('one person is "1 person"', async () => {
    const child = spawn(process.execPath, [BIN, 'sandbox', '--port', '0', '--persons', '1'], { env: cliEnv({}), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    await new Promise<void>((resolve) => {
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        if (stderr.includes('Ctrl-C stops it.')) resolve();
      });
    });
    child.kill('SIGTERM');
    expect(await new Promise((resolve) => child.on('close', resolve))).toBe(0);
    expect(stderr).toMatch(/^Sandbox serving 1 person at http:\/\/127\.0\.0\.1:\d+ \(project 1\)\. Ctrl-C stops it\.$/m);
  });

  it('the background example of `sandbox --help` runs in a real shell and points it at the sandbox', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pp-sandbox-example-'));
    const help = await run(['sandbox', '--help']);
    const lines = help.stdout.split('\n');
    const at = lines.findIndex((l) => l.includes('# start it in the background'));
    expect(at).toBeGreaterThan(-1);
    const example = lines[at + 1]!.replace(/^\s*\$ /, '');
    expect(example).toContain('posthog-persons sandbox --port 8010');
    // a sandbox.env left by an earlier session must not be read before this sandbox listens
    writeFileSync(join(dir, 'sandbox.env'), 'export POSTHOG_HOST=http://127.0.0.1:1\n');
    // The same lines, with this build for the command and a free port (8010 may be taken here).
    const script = `${example.replaceAll('posthog-persons', '"$NODE" "$PP"').replace('--port 8010', '--port 0')}
"$NODE" "$PP" list --count
kill $!
wait`;
    const r = spawnSync('bash', ['-c', script], {
      cwd: dir,
      env: { ...cliEnv({}), NODE: process.execPath, PP: BIN },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.error).toBeUndefined(); // no timeout: the example does not hang
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('500\n');
  });
});
