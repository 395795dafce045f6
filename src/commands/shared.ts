// Flag helpers shared by commands: output flags, integer parsing, examples in --help.
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Factory } from '../factory.js';
import { UsageError } from '../errors.js';
import type { RecordSchema } from '../output/columns.js';
import type { Renderer } from '../output/render.js';

export type OutputFormat = 'table' | 'tsv' | 'json' | 'jsonl' | 'csv';
const FORMATS: OutputFormat[] = ['table', 'tsv', 'json', 'jsonl', 'csv'];

export interface OutputFlags {
  output?: OutputFormat;
  fields?: string;
}

/** -o/--output and --fields, for every command that prints records. */
export function addOutputOptions(command: Command, { fields = true } = {}): Command {
  command.addOption(
    new Option('-o, --output <format>', 'output format (default: table on a terminal, tsv when piped); tsv and csv cells hold arrays and objects as JSON').choices(FORMATS),
  );
  if (fields) command.option('--fields <list>', 'comma-separated fields to print, e.g. uuid,name,properties.email');
  return command;
}

/** table on a terminal, tsv when piped (cli-spec.md, "Output"). */
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

export { plural } from '../output/text.js';

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
