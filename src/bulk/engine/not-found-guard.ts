// --max-not-found N|P%: every identifier a run is about to send is looked up first (200 a request
// through batch_by_distinct_ids / batch_by_uuids; an email run already knows from its email
// lookups), and the run stops before its first write (exit 3) when more match no person than the
// flag allows. It is the guard against a file of the wrong kind of identifier (emails read as
// distinct_ids, say), which would otherwise "complete" with nothing done. The dry run does the
// same lookups (reads only) and says whether the run would stop.
import { CliError, ExitCode } from '../../errors.js';
import { allowedNotFound, type NotFoundLimit } from './max-not-found.js';

export type { NotFoundLimit } from './max-not-found.js';
import { LOOKUP_BATCH, type PersonsApi } from '../../api/persons.js';
import { plural } from '../../output/message-text.js';
import type { IdLookup } from '../input/id-set.js';
import { rowGroups, type RowSource } from '../input/read-input.js';

/** The identifiers of `rows` not yet done that match no person: one lookup request per 200. */
export async function countNotFound(api: PersonsApi, rows: RowSource, done: IdLookup, by: 'uuid' | 'distinct_id'): Promise<number> {
  let missing = 0;
  let chunk: string[] = [];
  const flush = async () => {
    const found = await api.lookupPersons(chunk, by);
    for (const id of chunk) if (!found.has(by === 'uuid' ? id.toLowerCase() : id)) missing++;
    chunk = [];
  };
  for await (const group of rowGroups(rows)) {
    for (const row of group) {
      if (done.has(row.id)) continue;
      chunk.push(row.id);
      if (chunk.length === LOOKUP_BATCH) await flush();
    }
  }
  if (chunk.length > 0) await flush();
  return missing;
}

export interface NotFoundCheck {
  notFound: number;
  total: number;
  /** "identifier" or "email": what was counted */
  noun: string;
  limit: NotFoundLimit;
  /** what the identifiers are read as, for the hint */
  by: 'uuid' | 'distinct_id' | 'email';
}

/** The plan's note: "10 of 20 identifiers match no person (--max-not-found 10% allows 2)". */
export function notFoundNote(check: NotFoundCheck, dryRun: boolean): string {
  const allowed = allowedNotFound(check.limit, check.total);
  const line = `${check.notFound.toLocaleString('en-US')} of ${plural(check.total, check.noun)} ${check.notFound === 1 ? 'matches' : 'match'} no person (--max-not-found ${check.limit.text} allows ${allowed.toLocaleString('en-US')})`;
  return dryRun && check.notFound > allowed ? `${line}: the run would stop here with exit ${ExitCode.cancelled}` : line;
}

/** Stops the run (exit 3, before anything is written) when more identifiers match no person than allowed. */
export function enforceNotFound(check: NotFoundCheck): void {
  const allowed = allowedNotFound(check.limit, check.total);
  if (check.notFound <= allowed) return;
  const others = { distinct_id: 'distinct_ids here: --by uuid or --by email for others', uuid: 'person UUIDs here', email: 'emails here, matched exactly, case included' }[check.by];
  throw new CliError(
    `${check.notFound.toLocaleString('en-US')} of ${plural(check.total, check.noun)} ${check.notFound === 1 ? 'matches' : 'match'} no person, more than --max-not-found ${check.limit.text} allows (${allowed.toLocaleString('en-US')}); nothing was written`,
    ExitCode.cancelled,
    `Check that the file holds the kind of identifier the run reads (${others}), or raise --max-not-found.`,
  );
}
