// `auth status` honours every output format: tsv (one line, no header) and csv (a header and one
// record) hold the same fields as json; table is the aligned card.
import { describe, expect, it } from 'vitest';
import { SANDBOX_KEYS } from '../../src/sandbox/index.js';
import { tempConfigDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';

const env = {
  POSTHOG_HOST: 'http://127.0.0.1:8010',
  POSTHOG_PROJECT_ID: '7',
  POSTHOG_PERSONAL_API_KEY: SANDBOX_KEYS.all.key,
};

describe('auth status -o', () => {
  it('tsv: one line of tab-separated fields, no header', async () => {
    const dir = tempConfigDir();
    const r = await runInProcess(['auth', 'status', '--offline', '-o', 'tsv'], { env: { ...env, POSTHOG_PERSONS_CONFIG_DIR: dir } });
    expect(r.code).toBe(0);
    const masked = `${SANDBOX_KEYS.all.key.slice(0, 8)}…${SANDBOX_KEYS.all.key.slice(-4)}`;
    expect(r.stdout).toBe(
      [
        'default', 'default',
        'http://127.0.0.1:8010', 'environment POSTHOG_HOST',
        '7', 'environment POSTHOG_PROJECT_ID',
        masked, 'environment POSTHOG_PERSONAL_API_KEY',
        `${dir}/config.json`, '', '',
      ].join('\t') + '\n',
    );
  });

  it('csv: a header naming the fields, then one record', async () => {
    const dir = tempConfigDir();
    const r = await runInProcess(['auth', 'status', '--offline', '-o', 'csv'], { env: { ...env, POSTHOG_PERSONS_CONFIG_DIR: dir } });
    expect(r.code).toBe(0);
    const [header, record, ...rest] = r.stdout.split('\r\n').join('\n').split('\n');
    expect(header).toBe('profile,profile_source,host,host_source,project,project_source,api_key,api_key_source,config_file,check,check_message');
    expect(record).toContain(',http://127.0.0.1:8010,environment POSTHOG_HOST,7,environment POSTHOG_PROJECT_ID,');
    expect(rest).toEqual(['']);
  });

  it('table: the aligned card', async () => {
    const r = await runInProcess(['auth', 'status', '--offline', '-o', 'table'], { env: { ...env, POSTHOG_PERSONS_CONFIG_DIR: tempConfigDir() } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Host      http://127.0.0.1:8010  (environment POSTHOG_HOST)\n');
  });
});
