// `--projects all|ID,ID,…` as the commands read it before any request. Apart from
// src/api/projects.ts (the listing and checking of projects, loaded only when a run uses them) so
// that declaring and checking the flag adds nothing to the start-up of every command.
import { UsageError } from '../errors.js';

/**
 * `--projects all|ID,ID,…` read before any request: `all`, or a list of numeric ids (spaces
 * around them allowed). Anything else is a usage error (exit 2).
 */
export function parseProjectsSpec(text: string): 'all' | string[] {
  const trimmed = text.trim();
  if (trimmed === 'all') return 'all';
  const hint = 'Give --projects all, or project and environment ids separated by commas, e.g. --projects 12345,12346 (`posthog-persons projects` lists them).';
  if (trimmed === '') throw new UsageError('--projects is empty', hint);
  const ids = trimmed.split(',').map((part) => part.trim());
  const seen = new Set<string>();
  for (const id of ids) {
    if (id === '') throw new UsageError(`--projects ${JSON.stringify(text)} has an empty entry`, hint);
    if (!/^\d+$/.test(id) || /^0+$/.test(id)) throw new UsageError(`--projects: ${JSON.stringify(id)} is not a project id`, hint);
    const canonical = String(BigInt(id));
    if (seen.has(canonical)) throw new UsageError(`--projects names project ${canonical} twice`, hint);
    seen.add(canonical);
  }
  return [...seen];
}
