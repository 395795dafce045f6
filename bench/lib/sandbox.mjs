// The sandbox for the benchmarks runs in its own process (the CLI's own `sandbox` command), so
// the CPU it spends serving is not counted against the command being measured.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'undici';

/**
 * @param {{ cli: string, persons: number, seed?: number, rateLimit?: number | string, env?: Record<string,string> }} options
 * @returns {Promise<{ url: string, projectId: string, key: string, pid: number, env: Record<string,string>, stop(): Promise<void> }>}
 */
export async function startSandbox({ cli, persons, seed = 1, rateLimit, env }) {
  const globals = rateLimit ? ['--rate-limit', String(rateLimit)] : [];
  const child = spawn(
    process.execPath,
    [cli, ...globals, 'sandbox', '--port', '0', '--persons', String(persons), '--seed', String(seed), '--write-lag', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text) => (stderr += text));
  const vars = await new Promise((resolve, reject) => {
    child.stdout.on('data', (text) => {
      stdout += text;
      const found = Object.fromEntries([...stdout.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
      if (found.POSTHOG_HOST && found.POSTHOG_PROJECT_ID && found.POSTHOG_PERSONAL_API_KEY) resolve(found);
    });
    child.on('exit', (code) => reject(new Error(`the sandbox exited ${code} before it was ready:\n${stderr}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    url: vars.POSTHOG_HOST,
    projectId: vars.POSTHOG_PROJECT_ID,
    key: vars.POSTHOG_PERSONAL_API_KEY,
    pid: child.pid,
    env: { ...vars },
    async stop() {
      child.kill('SIGINT'); // the sandbox command stops cleanly on Ctrl-C
      await exited;
    },
  };
}

async function control(sandbox, method, path) {
  const res = await request(`${sandbox.url}${path}`, { method });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`sandbox control ${method} ${path}: ${res.statusCode} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** The sandbox's request log (GET /_sandbox/requests). */
export const requestLog = (sandbox) => control(sandbox, 'GET', '/_sandbox/requests');
export const clearRequestLog = (sandbox) => control(sandbox, 'DELETE', '/_sandbox/requests');
/** How many persons the sandbox holds in all (GET /_sandbox/health). */
export const personCount = async (sandbox) => (await control(sandbox, 'GET', '/_sandbox/health')).persons;

/** CPU seconds (user + system) the sandbox process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15 of stat(5); the split starts at field 3.
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/**
 * Every person of the sandbox's project: uuid and one distinct_id each, fetched with plain
 * requests (not through the CLI being measured).
 */
export async function listPersons(sandbox) {
  const persons = [];
  let path = `/api/projects/${sandbox.projectId}/persons/?limit=1000`;
  while (path) {
    const res = await request(`${sandbox.url}${path}`, { headers: { authorization: `Bearer ${sandbox.key}` } });
    const page = JSON.parse(await res.body.text());
    if (res.statusCode !== 200) throw new Error(`listing persons: ${res.statusCode}`);
    for (const person of page.results) persons.push({ uuid: person.uuid, distinctId: person.distinct_ids[0] });
    path = page.next ? new URL(page.next).pathname + new URL(page.next).search : null;
  }
  return persons;
}
