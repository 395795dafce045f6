// What the dry run and the confirmation say about an input file besides its counts: identifiers
// kept with their surrounding spaces, and distinct_ids that all look like person UUIDs or emails.
import { plural } from '../../output/message-text.js';
import type { InputResult } from './read-input.js';

export function inputNotes(input: Pick<InputResult, 'kind' | 'checks' | 'stats' | 'column'>): string[] {
  const notes: string[] = [];
  const { spaced, uuidShaped, spacesOnly } = input.checks;
  if (spacesOnly > 0) notes.push(`${plural(spacesOnly, 'blank row holds', 'blank rows hold')} only spaces (skipped)`);
  if (spaced > 0) notes.push(`${plural(spaced, 'identifier has', 'identifiers have')} leading or trailing spaces (kept as written)`);
  if (input.kind === 'distinct_id' && input.stats.unique > 0 && uuidShaped === input.stats.unique) {
    const fix = input.column !== undefined && input.column.toLowerCase() === 'distinct_id' ? 'name the column uuid' : 'pass --by uuid';
    notes.push(
      `${input.stats.unique === 1 ? 'the identifier is' : 'every identifier is'} shaped like a UUID but is read as a distinct_id; if ${input.stats.unique === 1 ? 'it is a person UUID' : 'they are person UUIDs'}, ${fix}`,
    );
  }
  // Emails read as distinct_ids match nobody (unless the project uses emails as distinct_ids).
  if (input.kind === 'distinct_id' && input.stats.unique > 0 && input.checks.emailShaped === input.stats.unique) {
    const one = input.stats.unique === 1;
    notes.push(
      `${one ? 'the identifier is' : 'every identifier is'} shaped like an email but is read as a distinct_id; if ${one ? "it is the person's email address" : "they are the persons' email addresses"}, pass --by email (or name the column email)`,
    );
  }
  return notes;
}
