// Column definitions drive every output format: a command declares which fields its records have
// and which are shown by default, and `--fields` validation plus all five formats follow from that.

import { UsageError } from '../errors.js';

export interface Column<T> {
  /** The field name users type in `--fields`, and the key/header used by json, jsonl and csv. */
  name: string;
  /** Table header; defaults to the name in upper case, like `gh`. */
  header?: string;
  /**
   * Table mode only: never truncate this column to fit the terminal. For values a user copies
   * whole (UUIDs, timestamps); a cut-off UUID is worse than a row that wraps.
   */
  fixedWidth?: boolean;
  get(record: T): unknown;
}

export interface RecordSchema<T> {
  /** The named fields. */
  columns: Column<T>[];
  /** Used by table/tsv/csv when --fields is not given. */
  defaultFields: string[];
  /** Optional dynamic fields, e.g. 'properties.<key>' for persons. */
  dynamic?: {
    /** Including the separator, e.g. 'properties.'. */
    prefix: string;
    get(record: T, rest: string): unknown;
    /** How the dynamic fields are listed among the valid fields, e.g. 'properties.<key>'. */
    describe: string;
  };
}

/**
 * Turns the raw `--fields` flag into the columns to print. Without the flag the schema's default
 * fields are used and `explicit` is false (json/jsonl then print the API object whole).
 */
export function resolveFields<T>(
  schema: RecordSchema<T>,
  fieldsFlag: string | undefined,
): { fields: Column<T>[]; explicit: boolean } {
  if (fieldsFlag === undefined) {
    // The defaults are the command author's choice, so an unknown one is a programming error.
    const fields = schema.defaultFields.map((name) => {
      const column = findColumn(schema, name);
      if (!column) throw new Error(`default field "${name}" is not a column of the schema`);
      return column;
    });
    return { fields, explicit: false };
  }

  const names = fieldsFlag.split(',').map((name) => name.trim());
  if (names.every((name) => name === '')) {
    throw new UsageError(`--fields is empty; valid fields: ${validFieldList(schema)}`);
  }
  const seen = new Set<string>();
  const fields: Column<T>[] = [];
  for (const name of names) {
    // An empty entry is almost always a typo (`uuid,,name` or a trailing comma) and rejecting it
    // costs the user one keystroke, while guessing could silently hide a missing field name.
    if (name === '') {
      throw new UsageError(
        `--fields ${JSON.stringify(fieldsFlag)} has an empty field name; separate names with single commas`,
      );
    }
    if (seen.has(name)) {
      throw new UsageError(`field "${name}" is given twice in --fields`);
    }
    seen.add(name);
    const column = findColumn(schema, name);
    if (!column) {
      throw new UsageError(`unknown field "${name}" in --fields; valid fields: ${validFieldList(schema)}`);
    }
    fields.push(column);
  }
  return { fields, explicit: true };
}

/** The names a user may pass to --fields, as listed in error messages. */
export function validFieldList<T>(schema: RecordSchema<T>): string {
  const names = schema.columns.map((column) => column.name);
  if (schema.dynamic) names.push(schema.dynamic.describe);
  return names.join(', ');
}

function findColumn<T>(schema: RecordSchema<T>, name: string): Column<T> | undefined {
  // A named column wins over the dynamic prefix, so `properties` is the whole object while
  // `properties.email` is one key of it.
  const named = schema.columns.find((column) => column.name === name);
  if (named) return named;
  const dynamic = schema.dynamic;
  if (dynamic && name.startsWith(dynamic.prefix) && name.length > dynamic.prefix.length) {
    const rest = name.slice(dynamic.prefix.length);
    // The header keeps the user's spelling: property keys are case-sensitive, so upper-casing
    // them would make `properties.plan` and `properties.Plan` look the same.
    return { name, header: name, get: (record) => dynamic.get(record, rest) };
  }
  return undefined;
}
