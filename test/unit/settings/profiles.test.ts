// The profile store in-process: what counts as a damaged file, what a change leaves on disk, and
// the lock that serialises changes.
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProfileStore, ProfileStoreError } from '../../../src/settings/profiles.js';
import { StoreLockedError } from '../../../src/settings/store-lock.js';
import { keyFromText, normalizeHost, withoutUserinfo } from '../../../src/settings/resolve.js';
import { UsageError } from '../../../src/errors.js';

const folder = () => mkdtempSync(join(tmpdir(), 'pp-store-'));

describe('a damaged profile file', () => {
  it.each([
    ['{"profiles": ', 'it is not valid JSON'],
    ['[]', 'it does not hold a JSON object'],
    ['null', 'it does not hold a JSON object'],
    ['{"profiles": []}', '"profiles" is not an object'],
    ['{"profiles": {"a": "phx_x"}}', 'profile "a" is not an object of strings'],
    ['{"profiles": {"a": {"host": 1}}}', 'profile "a" is not an object of strings'],
    ['{"profiles": {}, "currentProfile": 3}', '"currentProfile" is not a string'],
  ])('%s: %s, naming the file', async (text, problem) => {
    const dir = folder();
    writeFileSync(join(dir, 'config.json'), text);
    const store = await ProfileStore.open(dir);
    const error = (() => {
      try {
        store.list();
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ProfileStoreError);
    expect((error as ProfileStoreError).message).toBe(`cannot read the profile store ${join(dir, 'config.json')}: ${problem}`);
    expect((error as ProfileStoreError).exitCode).toBe(2);
  });

  it('a change does not overwrite it', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'config.json'), '{"profiles": ');
    const store = await ProfileStore.open(dir);
    await expect(store.set('a', { host: 'https://eu.posthog.com' })).rejects.toBeInstanceOf(ProfileStoreError);
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe('{"profiles": ');
  });
});

describe('changes', () => {
  it('keep what another process wrote meanwhile, and what they do not know (unknown keys)', async () => {
    const dir = folder();
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ profiles: { old: { host: 'https://eu.posthog.com' } }, extra: 1 }), { mode: 0o644 });
    const store = await ProfileStore.open(dir);
    expect(store.list().map(([n]) => n)).toEqual(['old']); // read (and kept) before the other write
    writeFileSync(file, JSON.stringify({ profiles: { old: { host: 'https://eu.posthog.com' }, other: { project: '2' } }, extra: 1 }));
    await store.set('mine', { project: '1', apiKey: 'phx_k' }, { currentIfNone: true });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      profiles: { old: { host: 'https://eu.posthog.com' }, other: { project: '2' }, mine: { project: '1', apiKey: 'phx_k' } },
      extra: 1,
      currentProfile: 'mine',
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['config.json']);
  });

  it('removeKey keeps host and project; says when there is nothing to remove', async () => {
    const dir = folder();
    const store = await ProfileStore.open(dir);
    await store.set('a', { host: 'https://eu.posthog.com', project: '1', apiKey: 'phx_k' });
    expect(await store.removeKey('a')).toBe('removed');
    expect(await store.removeKey('a')).toBe('no-key');
    expect(await store.removeKey('b')).toBe('no-profile');
    expect(store.get('a')).toEqual({ host: 'https://eu.posthog.com', project: '1' });
  });

  it('a config folder that is a file is a UsageError naming it', async () => {
    const parent = folder();
    writeFileSync(join(parent, 'cfg'), 'x');
    const store = await ProfileStore.open(join(parent, 'cfg'));
    expect(store.list()).toEqual([]); // reading: nothing saved
    const error = (() => {
      try {
        store.ensureWritable();
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe(`cannot save profiles in ${join(parent, 'cfg')}: it is a file, not a folder`);
  });
});

describe('the lock', () => {
  it('a live holder: waits, then StoreLockedError names it; the file is untouched', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'config.json.lock'), JSON.stringify({ pid: process.pid, host: hostname(), created: new Date().toISOString(), token: 't' }));
    const store = await ProfileStore.open(dir, { waitMs: 100 });
    const error = await store.set('a', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreLockedError);
    expect((error as StoreLockedError).message).toBe(`the profile store ${join(dir, 'config.json')} is locked by process ${process.pid} on ${hostname()}`);
    expect(existsSync(join(dir, 'config.json'))).toBe(false);
  });

  it('a lock older than the stale limit is taken over whoever holds it', async () => {
    const dir = folder();
    const lock = join(dir, 'config.json.lock');
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: 'another-host', created: '2020-01-01T00:00:00Z' }));
    const aMinuteAgo = new Date(Date.now() - 60_000);
    utimesSync(lock, aMinuteAgo, aMinuteAgo); // its age is judged by its mtime: older than the limit without waiting
    const store = await ProfileStore.open(dir, { waitMs: 5_000, staleMs: 1_000 });
    await store.set('a', { project: '1' });
    expect(readdirSync(dir)).toEqual(['config.json']);
  });

  it('an empty lock file (a holder that died before writing it) is stale only once old', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'config.json.lock'), '');
    const store = await ProfileStore.open(dir, { waitMs: 50 });
    await expect(store.set('a', {})).rejects.toBeInstanceOf(StoreLockedError);
  });

  it('changes through several store objects each read the file afresh: none lost', async () => {
    const dir = folder();
    const stores = await Promise.all(Array.from({ length: 20 }, () => ProfileStore.open(dir)));
    await Promise.all(stores.map((s, i) => s.set(`p${i}`, { project: String(i + 1) })));
    const saved = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(Object.keys(saved.profiles)).toHaveLength(20);
  });
});

describe('settings text', () => {
  it('keyFromText trims, drops a UTF-8 BOM, and refuses UTF-16', () => {
    expect(keyFromText('\ufeffphx_abc\r\n', 'x')).toBe('phx_abc');
    expect(() => keyFromText(Buffer.from('phx_abc', 'utf16le').toString('utf8'), 'where')).toThrow(/^where: the key is UTF-16 encoded text/);
    expect(() => keyFromText(Buffer.from([0xff, 0xfe, 0x70, 0x00]).toString('utf8'), 'where')).toThrow(/UTF-16/);
  });

  it('withoutUserinfo hides everything up to the last @', () => {
    expect(withoutUserinfo('https://me:p@ss@h.example.com/x')).toBe('https://***@h.example.com/x');
    expect(withoutUserinfo('me:pw@h.example.com')).toBe('***@h.example.com');
    expect(withoutUserinfo('https://h.example.com')).toBe('https://h.example.com');
  });

  it('normalizeHost refuses any @ without echoing what comes before it', () => {
    expect(() => normalizeHost('https://u:pa/ss@w@h.example.com')).toThrow('invalid host "https://***@h.example.com": credentials in the URL are not allowed');
  });
});
