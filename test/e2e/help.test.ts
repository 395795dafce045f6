import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/in-process.js';

const LEAF_COMMANDS = [
  'list', 'get', 'set-prop', 'unset-prop', 'split', 'delete', 'deletion-status', 'timeline', 'activity', 'projects',
  'auth login', 'auth status', 'auth logout', 'profile list', 'profile use', 'profile remove', 'sandbox', 'completion',
];

describe('--help', () => {
  it.each(LEAF_COMMANDS)('%s --help shows usage and 3-5 examples, exit 0', async (command) => {
    const r = await runInProcess([...command.split(' '), '--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`Usage: posthog-persons ${command}`);
    const examples = r.stdout.split('\n').filter((line) => line.startsWith('  $ posthog-persons') || line.startsWith('  $ '));
    expect(examples.length).toBeGreaterThanOrEqual(3);
    expect(examples.length).toBeLessThanOrEqual(5);
  });

  it('the top-level help lists every command; --version prints the version', async () => {
    const help = await runInProcess(['--help']);
    for (const name of ['list', 'get', 'set-prop', 'unset-prop', 'split', 'delete', 'deletion-status', 'timeline', 'activity', 'projects', 'auth', 'profile', 'sandbox', 'completion']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    }
    const version = await runInProcess(['--version']);
    expect(version).toMatchObject({ code: 0, stderr: '' });
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('an unknown command exits 2 with a suggestion', async () => {
    const r = await runInProcess(['lsit']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'lsit'");
    expect(r.stderr).toContain('list');
  });
});
