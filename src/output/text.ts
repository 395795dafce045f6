// Wording helpers for the lines a person reads, shared by the commands and the bulk library (which
// never imports from src/commands): counts with their noun, and how a person is named.
import { escapeForTerminal } from './escape.js';

/** "1 person", "3 persons", "1,000 rows". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/**
 * `person <uuid> (user_1)`: the UUID, and a distinct_id: what the user typed when it was one, else
 * the person's first listed distinct_id (else its name). Server text, so escaped for the terminal.
 */
export function personLabel(person: { uuid: string; name?: string; distinct_ids?: readonly string[] }, ref: string): string {
  const typed = ref.toLowerCase() !== person.uuid.toLowerCase() ? ref : undefined;
  const alias = typed ?? person.distinct_ids?.[0] ?? person.name;
  return alias && alias !== person.uuid ? `person ${person.uuid} (${escapeForTerminal(String(alias))})` : `person ${person.uuid}`;
}
