// Reading back what an email run's emails resolved to (its `resolve` entries), so --resume works
// on the same persons as the run it continues instead of looking the emails up again (the persons
// already deleted would no longer be found, and the plan's counts would change under the user).
import { createReadStream } from 'node:fs';
import { splitLines } from '../input/text.js';
import { parseEntry, type JournalHeader } from './entries.js';
import type { JournalScope } from './read.js';

/**
 * The matches of the last run of this operation whose resolve entries are complete (they cover as
 * many emails as its input held), or undefined: then the emails are looked up again. A run killed
 * while writing them has sent nothing yet (they come before the first write).
 */
export async function readResolved(path: string, scope: JournalScope): Promise<Map<string, string[]> | undefined> {
  const headers = new Map<string, JournalHeader>();
  const order: string[] = [];
  const matches = new Map<string, Map<string, string[]>>();
  const chunks = createReadStream(path, { encoding: 'utf8' }) as AsyncIterable<string>;
  for await (const lines of splitLines(chunks)) {
    for (const text of lines) {
      if (!text.includes('"resolve"') && !text.includes('"run"')) continue;
      const entry = parseEntry(text);
      if (typeof entry !== 'object') continue; // damage is reported by the journal's own reader
      if (entry.type === 'run') {
        headers.set(entry.run_id, entry);
      } else if (entry.type === 'resolve') {
        let run = matches.get(entry.run_id);
        if (run === undefined) {
          run = new Map();
          matches.set(entry.run_id, run);
          order.push(entry.run_id);
        }
        for (const [email, uuids] of Object.entries(entry.matches)) run.set(email, uuids);
      }
    }
  }
  for (const runId of order.reverse()) {
    const header = headers.get(runId);
    if (header === undefined || header.command !== scope.command || header.host !== scope.host || String(header.project) !== String(scope.project)) continue;
    const run = matches.get(runId)!;
    if (header.input !== undefined && run.size !== header.input.unique) continue;
    return run;
  }
  return undefined;
}
