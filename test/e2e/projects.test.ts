// `projects`: every project and environment the key reaches, in each output format, against the
// sandbox's organization (projects 1 Production and 2 Staging, environment 3 Development of
// project 1); a key limited to a project sees only it; refusals exit 4 naming the scopes.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_KEYS, SANDBOX_ORGANIZATION, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { ON_A_TERMINAL, runInProcess } from '../helpers/in-process.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ persons: 30 });
});
beforeEach(() => sandbox.clearRequests());
afterAll(() => sandbox.close());

const ORG = SANDBOX_ORGANIZATION.id;
const paths = () => sandbox.requests.map((q) => q.path);

describe('projects', () => {
  it('piped: tsv, one line each, a project followed by its environments', async () => {
    const r = await runInProcess(['projects'], { sandbox });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(
      '1\tProduction\tproject\t1\tSandbox Organization\n' +
        '3\tDevelopment\tenvironment\t1\tSandbox Organization\n' +
        '2\tStaging\tproject\t2\tSandbox Organization\n',
    );
    expect(paths()).toEqual(['/api/personal_api_keys/@current/', '/api/organizations/']);
  });

  it('on a terminal: an aligned table (bold headers unless NO_COLOR)', async () => {
    const coloured = await runInProcess(['projects'], { sandbox, ...ON_A_TERMINAL });
    expect(coloured.stdout.split('\n')[0]).toBe('\x1b[1mID\x1b[22m  \x1b[1mNAME\x1b[22m         \x1b[1mKIND\x1b[22m         \x1b[1mPROJECT\x1b[22m  \x1b[1mORGANIZATION\x1b[22m');
    const r = await runInProcess(['projects'], { sandbox, ...ON_A_TERMINAL, env: { NO_COLOR: '1' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'ID  NAME         KIND         PROJECT  ORGANIZATION\n' +
        '1   Production   project      1        Sandbox Organization\n' +
        '3   Development  environment  1        Sandbox Organization\n' +
        '2   Staging      project      2        Sandbox Organization\n',
    );
    expect(r.stderr).toBe('');
  });

  it('-o csv: a header naming the fields, every field by --fields', async () => {
    const r = await runInProcess(['projects', '-o', 'csv', '--fields', 'id,kind,project_id,organization_id,organization_name'], { sandbox });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'id,kind,project_id,organization_id,organization_name\r\n' +
        `1,project,1,${ORG},Sandbox Organization\r\n` +
        `3,environment,1,${ORG},Sandbox Organization\r\n` +
        `2,project,2,${ORG},Sandbox Organization\r\n`,
    );
  });

  it('-o json: one array of whole records; -o jsonl: one object a line', async () => {
    const json = await runInProcess(['projects', '-o', 'json'], { sandbox });
    expect(JSON.parse(json.stdout)).toEqual([
      { id: 1, name: 'Production', kind: 'project', project_id: 1, organization_id: ORG, organization_name: 'Sandbox Organization' },
      { id: 3, name: 'Development', kind: 'environment', project_id: 1, organization_id: ORG, organization_name: 'Sandbox Organization' },
      { id: 2, name: 'Staging', kind: 'project', project_id: 2, organization_id: ORG, organization_name: 'Sandbox Organization' },
    ]);
    const jsonl = await runInProcess(['projects', '-o', 'jsonl', '--fields', 'id,name'], { sandbox });
    expect(jsonl.stdout).toBe('{"id":1,"name":"Production"}\n{"id":3,"name":"Development"}\n{"id":2,"name":"Staging"}\n');
  });

  it('a key limited to one project lists only that project, without the organization name PostHog does not show it', async () => {
    const r = await runInProcess(['projects', '-o', 'tsv'], { sandbox, key: SANDBOX_KEYS.otherProject.key });
    expect(r).toMatchObject({ code: 0, stdout: '2\tStaging\tproject\t2\t\n', stderr: '' });
    expect(paths()).toEqual(['/api/personal_api_keys/@current/', '/api/environments/2/']);
  });

  it('a name from the server cannot drive the terminal; machine formats keep it exact', async () => {
    const evil = { id: ORG, name: 'Evil\x1b[2J Org', projects: [{ id: 1, name: 'Prod\x07\u202eX' }], teams: [{ id: 1, project_id: 1, name: 'Prod' }] };
    sandbox.script({ method: 'GET', path: '/api/organizations/', kind: 'status', status: 200, times: 2, body: { count: 1, next: null, previous: null, results: [evil] } });
    const table = await runInProcess(['projects'], { sandbox, ...ON_A_TERMINAL, env: { NO_COLOR: '1' } });
    expect(table.stdout.split('\n')[1]).toBe('1   Prod\\x07\\u202eX  project  1        Evil\\x1b[2J Org');
    const json = await runInProcess(['projects', '-o', 'jsonl', '--fields', 'name,organization_name'], { sandbox });
    expect(JSON.parse(json.stdout)).toEqual({ name: 'Prod\x07\u202eX', organization_name: 'Evil\x1b[2J Org' });
  });

  it('every id it lists works as --project, an environment id too: each holds persons of its own', async () => {
    const dev = await runInProcess(['list', '--project', '3', '--all', '--fields', 'distinct_ids', '-o', 'jsonl'], { sandbox, env: { POSTHOG_PROJECT_ID: undefined } });
    expect(dev.code).toBe(0);
    expect(dev.stdout.trim().split('\n').map((line) => JSON.parse(line).distinct_ids[0]).sort()).toEqual(
      ['ava-stone', 'bobby', 'dev-tester-1', 'dev-tester-2', 'dev-tester-3', 'jose.alvarez', 'yamada-taro'],
    );
    const [inProduction, inStaging] = await Promise.all(
      ['1', '2'].map((p) => runInProcess(['get', 'ava-stone', '--project', p, '--fields', 'uuid'], { sandbox, env: { POSTHOG_PROJECT_ID: undefined } })),
    );
    expect(inProduction!.stdout).not.toBe(inStaging!.stdout);
    expect(sandbox.requests.every((q) => q.method === 'GET')).toBe(true);
  });

  it('needs no project setting: it is how you find one', async () => {
    const r = await runInProcess(['projects', '--fields', 'id'], { sandbox, env: { POSTHOG_PROJECT_ID: undefined } });
    expect(r).toMatchObject({ code: 0, stdout: '1\n3\n2\n', stderr: '' });
  });

  it('a key without organization:read: exit 4 naming the scopes to ask for', async () => {
    const r = await runInProcess(['projects'], { sandbox, key: SANDBOX_KEYS.read.key });
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      "error: PostHog refused the request (403): API key missing required scope 'organization:read'\n" +
        'Listing projects needs a personal API key with the organization:read and project:read scopes (besides person:read or person:write); a key limited to some projects needs project:read.\n',
    );
  });

  it('a key limited to a project with person scopes only: exit 4, the scope named', async () => {
    const r = await runInProcess(['projects'], { sandbox, key: SANDBOX_KEYS.projectPersons.key });
    expect(r.code).toBe(4);
    expect(r.stderr.split('\n')[0]).toBe("error: PostHog refused the request (403): API key missing required scope 'project:read'");
    expect(paths()).toEqual(['/api/personal_api_keys/@current/', '/api/environments/2/']);
  });

  it('a key PostHog does not know: exit 4', async () => {
    const r = await runInProcess(['projects'], { sandbox, key: 'phx_notAKeyOfThisSandbox1234567890abcdefgh' });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('error: PostHog rejected the API key (401)');
    expect(r.stderr).not.toContain('phx_notAKeyOfThisSandbox1234567890abcdefgh');
  });

  it('a bad --fields or -o exits 2 before any request', async () => {
    const fields = await runInProcess(['projects', '--fields', 'id,uuid'], { sandbox });
    expect(fields.code).toBe(2);
    expect(fields.stderr).toBe('error: unknown field "uuid" in --fields; valid fields: id, name, kind, project_id, organization_id, organization_name\n');
    const output = await runInProcess(['projects', '-o', 'yaml'], { sandbox });
    expect(output.code).toBe(2);
    expect(sandbox.requests).toEqual([]);
  });

  it('works against the in-process sandbox too', async () => {
    const r = await runInProcess(['--sandbox', 'projects', '--fields', 'id,name']);
    expect(r).toMatchObject({ code: 0, stdout: '1\tProduction\n3\tDevelopment\n2\tStaging\n' });
  });

  it('the completion scripts offer it, with its flags', async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const r = await runInProcess(['completion', shell]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('projects');
    }
    const fish = await runInProcess(['completion', 'fish']);
    expect(fish.stdout).toMatch(/__fish_seen_subcommand_from projects.*-l fields/);
  });

  it('--help shows examples', async () => {
    const r = await runInProcess(['projects', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('$ posthog-persons projects -o csv > projects.csv');
    expect(r.stdout).toContain('--fields <list>');
  });
});
