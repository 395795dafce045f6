// Shared fixtures for the renderer tests: a target that collects what is written, and persons
// in both API shapes with the values that break naive renderers.

import { EventEmitter } from 'node:events';
import { createRenderer, type OutputFormat, type RendererOptions } from '../../../src/output/render.js';
import { personSchema, type PersonRecord } from '../../../src/output/person-schema.js';

/** Collects writes; `full` makes write() report backpressure until `drain()` is called. */
export class FakeTarget extends EventEmitter {
  chunks: string[] = [];
  full = false;
  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return !this.full;
  }
  drain(): void {
    this.full = false;
    this.emit('drain');
  }
  get text(): string {
    return this.chunks.join('');
  }
}

/** A list item: `id` is the UUID string (docs/posthog-api-notes.md, "Person records"). */
export const ada: PersonRecord = {
  type: 'person',
  id: '01890f2c-6f1e-7000-8000-000000000001',
  uuid: '01890f2c-6f1e-7000-8000-000000000001',
  name: 'ada@example.com',
  distinct_ids: ['ada@example.com', '01890f2c-aaaa-7000-8000-00000000000a'],
  properties: { email: 'ada@example.com', plan: 'pro', seats: 3, beta: true },
  created_at: '2024-03-01T10:00:00Z',
  last_seen_at: '2024-05-02T11:30:00.123000Z',
  is_identified: true,
  matched_recordings: [],
  value_at_data_point: null,
};

/** Values that need quoting or escaping in every text format. */
export const tricky: PersonRecord = {
  type: 'person',
  id: '01890f2c-6f1e-7000-8000-000000000002',
  uuid: '01890f2c-6f1e-7000-8000-000000000002',
  name: 'O"Brien, Zoë\t日本\nline2\\end',
  distinct_ids: ['a,b', 'c'],
  properties: { note: 'tab\there', empty: '', nothing: null, list: [], obj: {} },
  created_at: '2024-03-02T10:00:00Z',
  last_seen_at: null,
  is_identified: false,
};

/** A retrieve result: `id` is the integer pk (docs/posthog-api-notes.md, "Person records"). */
export const retrieved: PersonRecord = {
  id: 42,
  uuid: '01890f2c-6f1e-7000-8000-000000000003',
  name: 'grace',
  distinct_ids: [],
  properties: {},
  created_at: '2024-03-03T10:00:00Z',
  last_seen_at: null,
};

/** Renders records with the person schema and returns what was written. */
export async function render(
  format: OutputFormat,
  records: PersonRecord[],
  options: Partial<RendererOptions<PersonRecord>> = {},
): Promise<{ text: string; count: number }> {
  const out = new FakeTarget();
  const renderer = createRenderer({ format, schema: personSchema, out, ...options });
  for (const record of records) await renderer.write(record);
  const { count } = await renderer.end();
  return { text: out.text, count };
}

/**
 * How a reader takes a tsv cell apart again: the inverse of escapeTsv. A backslash before any
 * other character is kept as it is. The program never reads tsv back, so this lives with the tests.
 */
export function unescapeTsv(text: string): string {
  // The regex consumes escape pairs left to right, so `\\t` is an escaped backslash then a `t`.
  return text.replace(/\\([\\tnr])/g, (_match, char: string) => TSV_UNESCAPES[char]!);
}

const TSV_UNESCAPES: Record<string, string> = { '\\': '\\', t: '\t', n: '\n', r: '\r' };
