// An email run's persons: each email of the input looked up (src/api/email-lookup.ts), or, on
// --resume, taken from the journal's `resolve` entries; then the run works on the persons found,
// by UUID. Every person an email matches is a target, so an email shared by two persons erases
// both, and the plan names every email that matches more than one person.
import type { PersonsApi } from '../../api/persons.js';
import { resolveEmails, type EmailMatches } from '../../api/email-lookup.js';
import { escapeForTerminal } from '../../output/escape.js';
import { plural } from '../../output/message-text.js';
import { rowGroups, type InputResult, type InputRow, type InputRows } from '../input/read-input.js';
import type { Journal } from '../journal/journal.js';
import { readResolved } from '../journal/resolve-read.js';
import type { JournalPlan, JournalPlanOptions } from './run-journal.js';

/** Emails a `resolve` journal entry holds: a long list is recorded in several lines. */
const EMAILS_PER_ENTRY = 1000;
/** How many of the emails matching several persons (or none) the plan names. */
const SHOWN_SHARED = 5;

export interface EmailTargets {
  matches: EmailMatches;
  /** the matches came from the journal (a --resume): nothing to record again */
  fromJournal: boolean;
  /** the persons found, once each, by UUID; each row keeps its email row's line and properties */
  rows: InputRows;
  persons: number;
  emails: number;
  notFound: number;
  /** emails that match more than one person */
  matchingSeveral: number;
  /** what the plan says about the emails (without the trailing full stop) */
  notes: string[];
}

export async function emailTargets(api: PersonsApi, input: InputResult, journal: JournalPlan, options: JournalPlanOptions): Promise<EmailTargets> {
  const recorded = journal.resume ? await readResolved(journal.path, options) : undefined;
  let matches = recorded;
  if (matches === undefined) {
    const emails: string[] = [];
    for await (const group of rowGroups(input.rows)) for (const row of group) emails.push(row.id);
    matches = await resolveEmails(api, emails);
  }
  const persons = new Set<string>();
  for (const uuids of matches.values()) for (const uuid of uuids) persons.add(uuid);
  const notFound = [...matches.values()].filter((uuids) => uuids.length === 0).length;
  return {
    matches,
    fromJournal: recorded !== undefined,
    rows: uuidRows(input, matches),
    persons: persons.size,
    emails: matches.size,
    notFound,
    matchingSeveral: [...matches.values()].filter((uuids) => uuids.length > 1).length,
    notes: emailNotes(matches, persons.size, notFound, recorded !== undefined),
  };
}

/** Writes the matches into the journal, before the run's first write. */
export async function recordMatches(journal: Journal, runId: string, matches: EmailMatches, now: () => Date): Promise<void> {
  const all = [...matches];
  for (let at = 0; at < all.length; at += EMAILS_PER_ENTRY) {
    await journal.writeResolve({ run_id: runId, time: now().toISOString(), by: 'email', matches: Object.fromEntries(all.slice(at, at + EMAILS_PER_ENTRY)) });
  }
}

/** "3 emails: 2 match 3 persons, 1 matches no person", and the emails that match several persons. */
export function emailNotes(matches: EmailMatches, persons: number, notFound: number, fromJournal: boolean): string[] {
  const found = matches.size - notFound;
  const notes = [
    `${plural(matches.size, 'email')}: ${found.toLocaleString('en-US')} ${found === 1 ? 'matches' : 'match'} ${plural(persons, 'person')}, ` +
      `${notFound.toLocaleString('en-US')} ${notFound === 1 ? 'matches' : 'match'} no person${fromJournal ? ' (as looked up by the run this one resumes, recorded in the journal)' : ''}`,
  ];
  const none = [...matches].filter(([, uuids]) => uuids.length === 0).map(([email]) => email);
  if (none.length > 0) {
    const more = none.length > SHOWN_SHARED ? `, … (${(none.length - SHOWN_SHARED).toLocaleString('en-US')} more)` : '';
    notes.push(`matching no person: ${none.slice(0, SHOWN_SHARED).map(escapeForTerminal).join(', ')}${more}`);
  }
  const shared = [...matches].filter(([, uuids]) => uuids.length > 1);
  if (shared.length > 0) {
    const shown = shared.slice(0, SHOWN_SHARED).map(([email, uuids]) => `${escapeForTerminal(email)} (${plural(uuids.length, 'person')})`);
    const more = shared.length > SHOWN_SHARED ? `, … (${(shared.length - SHOWN_SHARED).toLocaleString('en-US')} more)` : '';
    notes.push(`${plural(shared.length, 'email matches', 'emails match')} more than one person: ${shown.join(', ')}${more}; every one of them is a target`);
  }
  return notes;
}

/** The persons of the input's emails as rows, in input order, each once. */
function uuidRows(input: InputResult, matches: EmailMatches): InputRows {
  async function* groups(): AsyncGenerator<readonly InputRow[]> {
    const seen = new Set<string>();
    for await (const group of rowGroups(input.rows)) {
      const out: InputRow[] = [];
      for (const row of group) {
        for (const uuid of matches.get(row.id) ?? []) {
          if (seen.has(uuid)) continue;
          seen.add(uuid);
          out.push(row.properties === undefined ? { id: uuid, line: row.line } : { id: uuid, line: row.line, properties: row.properties });
        }
      }
      if (out.length > 0) yield out;
    }
  }
  return {
    groups,
    async *[Symbol.asyncIterator]() {
      for await (const group of groups()) yield* group;
    },
  };
}
