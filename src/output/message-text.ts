// Text inside the human-facing message lines (confirmations, hints, warnings, summaries on
// stderr), shared by the commands and the bulk library (which never imports from src/commands):
// counts with their noun, values from the server or the user escaped for a terminal, persons
// named the same way everywhere, and words quoted for a shell command in a hint.
import { escapeForTerminal } from './escape.js';
import { stringifyExact } from '../json/exact-number.js';

/** "1 person", "3 persons", "1,000 rows". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/**
 * `person <uuid> (user_1)`: the UUID, and a distinct_id: what the user typed when it was one, else
 * the person's first listed distinct_id (else its name).
 */
export function personLabel(person: { uuid: string; name?: string; distinct_ids?: readonly string[] }, ref: string): string {
  const typed = ref.toLowerCase() !== person.uuid.toLowerCase() ? ref : undefined;
  const alias = typed ?? person.distinct_ids?.[0] ?? person.name;
  return alias && alias !== person.uuid ? `person ${person.uuid} (${displayValue(String(alias))})` : `person ${person.uuid}`;
}

/**
 * Text from the server or the user, made safe for a message line on a terminal (control
 * characters escaped). Every confirmation line goes through here.
 */
export function displayValue(text: string): string {
  return escapeForTerminal(text);
}

/** A value as JSON, cut short and safe for a message line. */
export function shortJson(value: unknown, max = 80): string {
  const text = displayValue(stringifyExact(value) ?? 'undefined');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A word for a shell command line in a hint, quoted when the shell would change it. */
export function shellWord(text: string): string {
  return /^[\w.@:,/-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
