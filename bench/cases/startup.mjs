// Start-up and one request: short commands, run alternately with `node -e 0` many times, so that
// drift on a shared machine hits both sides alike; medians are compared.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectOk, runNode } from '../lib/child.mjs';
import { listPersons, requestLog, clearRequestLog, startSandbox } from '../lib/sandbox.mjs';
import { summary } from '../lib/stats.mjs';

/** Runs every command `runs` times, rotating the order each round; returns wall-time summaries. */
async function alternate(commands, runs, log) {
  const times = Object.fromEntries(commands.map((c) => [c.name, []]));
  for (const command of commands) expectOk(await runNode(command.args, { env: command.env }), command.name); // warm the file cache
  for (let round = 0; round < runs; round++) {
    for (let i = 0; i < commands.length; i++) {
      const command = commands[(round + i) % commands.length];
      const result = expectOk(await runNode(command.args, { env: command.env }), command.name);
      command.check?.(result);
      times[command.name].push(result.wallMs);
    }
    if ((round + 1) % 10 === 0) log(`  ${round + 1}/${runs} rounds`);
  }
  return Object.fromEntries(Object.entries(times).map(([name, values]) => [name, summary(values)]));
}

export async function startupCase({ bin, version, runs, log }) {
  log(`start-up: node -e 0, --version, --help; ${runs} runs each`);
  const env = { POSTHOG_PERSONS_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'pp-bench-config-')) };
  return alternate(
    [
      { name: 'node -e 0', args: ['-e', '0'] },
      {
        name: 'posthog-persons --version',
        args: [bin, '--version'],
        env,
        check: (r) => {
          if (r.lines !== 1 || r.bytes !== version.length + 1) throw new Error('--version printed something unexpected');
        },
      },
      { name: 'posthog-persons --help', args: [bin, '--help'], env },
    ],
    runs,
    log,
  );
}

export async function getCase({ bin, cli, runs, log }) {
  log(`one request: get <uuid> against the sandbox, and node -e 0; ${runs} runs each`);
  const sandbox = await startSandbox({ cli, persons: 500 });
  try {
    const [person] = await listPersons(sandbox);
    const env = { ...sandbox.env, POSTHOG_PERSONS_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'pp-bench-config-')) };
    const probe = expectOk(await runNode([bin, 'get', person.uuid], { env, keepStdout: true }), 'get');
    if (!probe.stdout.includes(person.uuid)) throw new Error(`get printed no person:\n${probe.stdout}`);
    await clearRequestLog(sandbox);
    const times = await alternate(
      [
        { name: 'node -e 0', args: ['-e', '0'] },
        { name: 'posthog-persons get <uuid>', args: [bin, 'get', person.uuid], env },
      ],
      runs,
      log,
    );
    const requests = (await requestLog(sandbox)).length;
    return { times, requestsPerGet: requests / (runs + 1) };
  } finally {
    await sandbox.stop();
  }
}
