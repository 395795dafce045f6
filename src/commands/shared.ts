// Flag helpers shared by commands: output flags, integer parsing, examples in --help.
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Factory } from '../factory.js';
import { UsageError } from '../errors.js';
import type { RecordSchema } from '../output/columns.js';
import type { Renderer } from '../output/render.js';
import { OUTPUT_FORMATS, type OutputFormat } from '../output/formats.js';

export type { OutputFormat };

export interface OutputFlags {
  output?: OutputFormat;
  fields?: string;
}

/**
 * -o/--output and --fields, for every command that prints records. With a schema, the --fields
 * help lists that schema's fields, so the help cannot drift from what the command prints; without
 * one (persons, whose properties.<key> fields are open-ended) it gives an example. `fields: false`:
 * no --fields at all.
 */
export function addOutputOptions<T>(command: Command, { fields = true, schema }: { fields?: boolean; schema?: RecordSchema<T> } = {}): Command {
  command.addOption(
    new Option('-o, --output <format>', 'output format (default: table on a terminal, tsv when piped); tsv and csv cells hold arrays and objects as JSON').choices(OUTPUT_FORMATS),
  );
  if (schema) command.option('--fields <list>', `fields to print, comma-separated: ${fieldNames(schema)}`);
  else if (fields) command.option('--fields <list>', 'comma-separated fields to print, e.g. uuid,name,properties.email');
  return command;
}

/** `person, key, value, status`: the fields a schema offers, as --fields help lists them. */
export function fieldNames<T>(schema: RecordSchema<T>): string {
  return schema.columns.map((column) => column.name).join(', ');
}

/** Ways `--by` reads the identifiers a command is given. */
const BY_HELP = {
  person: 'read <person> only as: uuid, distinct-id or id (the integer primary key)',
  'person-or-file':
    'read <person> only as: uuid, distinct-id or id (the integer primary key); with --from-file: uuid, distinct-id or email, for a column whose name (uuid, person_uuid, distinct_id, email) does not say',
  delete:
    'read the identifiers only as: uuid or distinct-id (named persons also: id; --from-file also: email, each looked up and every person holding it deleted); in a file, a uuid/person_uuid column holds UUIDs, a distinct_id column distinct_ids, an email column emails, any other column needs --by',
} as const;

/** `--by <kind>`, declared once for every command that takes a person (parsed by parseByFlag). */
export function byOption(accepts: keyof typeof BY_HELP = 'person'): Option {
  return new Option('--by <kind>', BY_HELP[accepts]);
}

/** table on a terminal, tsv when piped (README, "Output"). */
export function outputFormat(factory: Factory, flag: OutputFormat | undefined): OutputFormat {
  return flag ?? (factory.io.stdoutIsTTY ? 'table' : 'tsv');
}

/** A commander argument parser for integers in [min, max]. */
export function intInRange(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const trimmed = value.trim();
    if (!/^-?\d+$/.test(trimmed)) throw new InvalidArgumentError(`${name} must be a whole number, not "${value}".`);
    const n = Number(trimmed);
    if (n < min || n > max) {
      throw new InvalidArgumentError(
        max === Number.MAX_SAFE_INTEGER ? `${name} must be at least ${min}.` : `${name} must be between ${min} and ${max}.`,
      );
    }
    return n;
  };
}

/** Collects a repeatable flag into an array. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function examples(command: Command, lines: Array<[string, string]>): Command {
  const text = lines.map(([what, cmd]) => `  # ${what}\n  $ ${cmd}`).join('\n\n');
  return command.addHelpText('after', `\nExamples:\n${text}\n`);
}

/** Flags that cannot go together. */
export function exclusive(options: object, names: Array<[key: string, flag: string]>): void {
  const values = options as Record<string, unknown>;
  const given = names.filter(([key]) => values[key] !== undefined && values[key] !== false);
  if (given.length > 1) {
    throw new UsageError(`${given.map(([, flag]) => flag).join(' and ')} cannot be used together`);
  }
}

export { plural } from '../output/message-text.js';

export interface RendererRequest<T> {
  schema: RecordSchema<T>;
  /** the -o flag; undefined = table on a terminal, tsv when piped */
  output?: OutputFormat;
  fields?: string;
  kind?: 'list' | 'single';
  raw?: (record: T) => unknown;
}

/**
 * The renderer for a command's records, on stdout, with the terminal's colour and width. Built
 * before any request, so a bad --fields exits 2 with nothing sent.
 */
export async function openRenderer<T>(factory: Factory, request: RendererRequest<T>): Promise<Renderer<T>> {
  const { createRenderer } = await import('../output/render.js');
  return createRenderer<T>({
    format: outputFormat(factory, request.output),
    schema: request.schema,
    fields: request.fields,
    out: factory.io.stdout,
    color: factory.io.color,
    width: factory.io.width,
    kind: request.kind ?? 'list',
    raw: request.raw,
  });
}
