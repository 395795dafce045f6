// Hand-written persons with awkward data. They are the newest persons of project 1, so they
// appear on the first list page, where renderers, CSV writers and filters meet them first.

import { ExactNumber } from '../json/exact.js';
import type { Properties } from './model.js';
import { uuidV4, type Rng } from './random.js';

export interface TrickySpec {
  properties: Properties;
  distinctIds: string[];
  isIdentified: boolean;
  lastSeen: boolean;
  /** Persons sharing a tie group get the same created_at. */
  tieGroup?: string;
}

const LOREM =
  'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. ';

/**
 * The tricky persons, newest first. `uuids[i]` is the UUID person i will get, so one person can
 * carry another's UUID as a distinct id.
 */
export function trickySpecs(rng: Rng, uuids: readonly string[]): TrickySpec[] {
  const anon = (): string => uuidV4(rng);
  const manyIds = ['many-devices-user'];
  for (let n = 1; n <= 600; n++) manyIds.push(`device-${String(n).padStart(4, '0')}`);
  for (let n = 0; n < 599; n++) manyIds.push(anon());

  return [
    {
      properties: { email: 'jose.alvarez@example.com', name: 'José Álvarez-Núñez', plan: 'scale', age: 41, country: 'ES', signup_source: 'organic', is_beta: false },
      distinctIds: [anon(), 'jose.alvarez'],
      isIdentified: true,
      lastSeen: true,
    },
    {
      properties: { email: 'yamada.taro@example.jp', name: '山田 太郎', plan: 'enterprise', age: 35, country: 'JP', signup_source: 'partner', is_beta: true, company: '株式会社サンプル' },
      distinctIds: [anon(), 'yamada-taro'],
      isIdentified: true,
      lastSeen: true,
    },
    {
      properties: { email: 'ava.stone@example.com', name: 'Ava 🚀 Stone', plan: 'startup', age: 29, country: 'US', signup_source: 'product_hunt', is_beta: true, bio: '🎉🔥 early adopter 👩🏽‍💻' },
      distinctIds: ['ava-stone'],
      isIdentified: true,
      lastSeen: true,
    },
    {
      properties: { email: 'smith.john@example.com', name: 'Smith, John', company: 'Acme, Inc.', address: '1 Main St, Springfield, IL', plan: 'free', age: 52, country: 'US', signup_source: 'referral', is_beta: false },
      distinctIds: [anon(), 'smith,john'],
      isIdentified: true,
      lastSeen: false,
    },
    {
      properties: { email: 'bobby.tables@example.com', name: 'Robert "Bobby" Tables', note: 'He said "hi" and left', sql: "Robert'); DROP TABLE students;--", plan: 'startup', age: 12, country: 'GB', signup_source: 'organic', is_beta: false },
      distinctIds: ['bobby', 'shared-distinct-id'],
      isIdentified: true,
      lastSeen: true,
    },
    {
      properties: { email: 'multi.line@example.com', name: 'Tab\tSeparated', notes: 'line one\nline two\r\nline three', plan: 'free', age: 33, country: 'DE', signup_source: 'newsletter', is_beta: false },
      distinctIds: [anon(), 'multi-line'],
      isIdentified: true,
      lastSeen: true,
    },
    {
      properties: { email: ' padded@example.com ', name: '  Padded Name  ', plan: ' startup ', age: 47, country: 'FR', signup_source: 'organic', is_beta: false },
      distinctIds: ['  padded-id  '],
      isIdentified: true,
      lastSeen: true,
    },
    {
      properties: { email: 'long.values@example.com', name: `Longname ${'x'.repeat(300)}`, bio: LOREM.repeat(42), plan: 'scale', age: 61, country: 'NL', signup_source: 'partner', is_beta: false, [`long_key_${'k'.repeat(180)}`]: 'value' },
      distinctIds: [anon(), `long-distinct-id-${'y'.repeat(200)}`],
      isIdentified: true,
      lastSeen: true,
    },
    {
      properties: {
        email: 'types@example.com', name: 'Type Mixer', plan: 'enterprise', age: 42, score: 3.14,
        big_number: 12345678901234, negative: -7, zero: 0, is_beta: true, verified: false, nickname: null,
        empty_string: '', address: { city: 'Berlin', zip: '10115', geo: { lat: 52.52, lng: 13.405 } },
        tags: ['alpha', 'beta'], country: 'DE', signup_source: 'organic',
      },
      distinctIds: ['type-mixer'],
      isIdentified: true,
      lastSeen: true,
    },
    { properties: {}, distinctIds: ['no-props-user'], isIdentified: false, lastSeen: false },
    {
      properties: { $browser: 'Firefox', $initial_referrer: '$direct', country: 'BR' },
      distinctIds: [anon()],
      isIdentified: false,
      lastSeen: true,
    },
    {
      properties: { email: 'many.devices@example.com', name: 'Many Devices', plan: 'scale', age: 38, country: 'SE', signup_source: 'organic', is_beta: true },
      distinctIds: manyIds,
      isIdentified: true,
      lastSeen: true,
    },
    {
      properties: { email: 'real.address@example.com', name: 'Email Lookalike', plan: 'free', age: 27, country: 'CA', signup_source: 'google_ads', is_beta: false },
      distinctIds: [anon(), 'lookalike@example.org'],
      isIdentified: true,
      lastSeen: true,
    },
    {
      properties: { email: 'uuid.twin@example.com', name: 'UUID Twin', plan: 'startup', age: 44, country: 'AU', signup_source: 'referral', is_beta: false },
      distinctIds: [uuids[0] ?? anon(), 'uuid-twin'],
      isIdentified: true,
      lastSeen: true,
    },
    {
      properties: { email: 'Mixed.Case@Example.COM', name: 'Mixed Case', plan: 'free', age: 30, country: 'US', signup_source: 'organic', is_beta: false },
      distinctIds: ['mixed-case'],
      isIdentified: true,
      lastSeen: true,
    },
    {
      properties: { email: 'string.age@example.com', name: 'String Age', plan: 'free', age: '30', country: 'IE', signup_source: 'organic', is_beta: 'true' },
      distinctIds: ['string-age'],
      isIdentified: true,
      lastSeen: true,
    },
    {
      properties: { email: 'orphan@example.com', name: 'Orphan Person', plan: 'free', country: 'PL' },
      distinctIds: [],
      isIdentified: false,
      lastSeen: false,
    },
    {
      properties: { email: 'inject@example.com', name: '<script>alert(1)</script>', formula: '=1+2', company: '@SUM(A1)', plan: 'startup', age: 25, country: 'US', signup_source: 'linkedin', is_beta: false },
      distinctIds: ['inject'],
      isIdentified: true,
      lastSeen: true,
    },
    {
      properties: { username: 'just_a_username', plan: 'free', country: 'IN' },
      distinctIds: [anon(), 'username-only'],
      isIdentified: true,
      lastSeen: true,
    },
    {
      properties: { email: 'keys@example.com', name: 'Odd Keys', 'nested.key': 'dot', 'key with spaces': 'space', UPPER: 'X', 'ключ': 'значение', plan: 'free' },
      distinctIds: ['odd-keys'],
      isIdentified: true,
      lastSeen: true,
    },
    ...['a', 'b', 'c'].map((letter): TrickySpec => ({
      properties: { email: `tie.${letter}@example.com`, name: `Tie ${letter.toUpperCase()}`, plan: 'startup', age: 30, country: 'US', signup_source: 'organic', is_beta: false },
      distinctIds: [`tie-${letter}`],
      isIdentified: true,
      lastSeen: true,
      tieGroup: 'tie',
    })),
    // Last, and without lastSeen or a tie group, so it draws nothing from `rng`: adding it left
    // every other seeded person as it was.
    {
      properties: {
        // What a terminal would obey if printed raw: clear screen, retitle, a carriage return
        // that lets the rest overwrite the line, a C1 CSI, DEL, BEL.
        name: 'Control\u001b[2J Chars\u001b]0;pwned\u0007\rDelete nobody?\u009b31m\u007f',
        lf: 'bare LF\nhere', cr: 'bare CR\rhere', crlf: 'CRLF\r\nhere', comma_quote: 'a, "b", c',
        spaces: '  both ends  ', controls: 'soh\u0001 bs\u0008 vt\u000b ff\u000c esc\u001b[0m',
        // Integers past 2^53, as PostHog stores and serves them (digit for digit).
        big_integer: new ExactNumber('12345678901234567890'), negative_big: new ExactNumber('-9007199254740993'),
        plan: 'free',
      },
      distinctIds: ['control-chars', 'ctrl-\u001b[31m-red'],
      isIdentified: true,
      lastSeen: false,
    },
  ];
}
