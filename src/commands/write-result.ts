// What a write command (set-prop, unset-prop, split) reports: its confirmation line on stderr and,
// when asked with -o/--fields, its result record as data on stdout.
import { Command, Option } from 'commander';
import type { Factory } from '../factory.js';
import type { RecordSchema } from '../output/columns.js';
import { OUTPUT_FORMATS, type OutputFormat } from '../output/formats.js';
import type { Renderer } from '../output/render.js';
import { fieldNames, openRenderer } from './shared.js';

/** Whether a write ended with the change still in PostHog's queue or seen on a fresh read. */
export type WriteStatus = 'queued' | 'visible' | 'dry-run';

/**
 * -o/--output and --fields of a write command: without them stdout stays empty; with them the
 * result record is printed as data.
 */
export function addResultOutputOptions<T>(command: Command, schema: RecordSchema<T>): Command {
  command.addOption(
    new Option('-o, --output <format>', 'print the result as data (default: nothing on stdout)').choices(OUTPUT_FORMATS),
  );
  return command.option('--fields <list>', `result fields to print, comma-separated: ${fieldNames(schema)}`);
}

/**
 * The confirmation lines of write commands: on stderr whether or not it is a terminal (a CI log
 * must show what was done, and to whom), silenced by the global -q.
 */
export function confirmationNotice(factory: Factory): (line: string) => void {
  return factory.globals().quiet ? () => undefined : (line) => factory.io.err(line);
}

/**
 * The renderer for a write command's result record, or undefined when the user asked for no
 * output (then stdout stays empty; the confirmation line is on stderr either way). Created
 * before any request, so a bad --fields exits 2 with nothing sent.
 */
export async function resultRenderer<T>(
  factory: Factory,
  flags: { output?: OutputFormat; fields?: string },
  schema: RecordSchema<T>,
): Promise<Renderer<T> | undefined> {
  if (flags.output === undefined && flags.fields === undefined) return undefined;
  return openRenderer<T>(factory, { output: flags.output, schema, fields: flags.fields, kind: 'single' });
}

export async function printResult<T>(renderer: Renderer<T> | undefined, record: T): Promise<void> {
  if (!renderer) return;
  await renderer.write(record);
  await renderer.end();
}
