// Answers that cannot come from a working PostHog: pages served twice and bulk_delete counts that
// cannot be true. The endpoint functions (persons.ts) call these, so every command is protected.
import { ApiError } from '../errors.js';

/**
 * A bulk_delete answer whose counts cannot be true (more persons found than identifiers sent,
 * negative or fractional counts) comes from something that is not PostHog, or not working: none
 * of its counts can be trusted, and a run stops rather than keep sending deletions to it.
 */
export class ImplausibleAnswerError extends ApiError {
  readonly fatal = true;
}

/** The counts of a bulk_delete answer (BulkDeleteSummary in persons.ts, which calls this). */
interface DeleteCounts {
  persons_found?: number;
  persons_deleted?: number;
  persons_queued_for_deletion?: number;
}

export function checkBulkDeleteSummary(summary: DeleteCounts | undefined, sent: number): void {
  // An empty answer (older servers) or one without counts is "unknown", which is honest.
  if (summary === undefined || summary === null || typeof summary !== 'object' || !('persons_found' in summary)) return;
  const problems: string[] = [];
  const counts = ['persons_found', 'persons_deleted', 'persons_queued_for_deletion'] as const;
  for (const name of counts) {
    const value: unknown = summary[name];
    if (value === undefined && name !== 'persons_found') continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      problems.push(`${name} ${JSON.stringify(value) ?? String(value)} is not a count`);
    }
  }
  if (problems.length === 0) {
    const found = summary.persons_found!;
    const removed = (summary.persons_deleted ?? 0) + (summary.persons_queued_for_deletion ?? 0);
    if (found > sent) problems.push(`persons_found ${found} for ${sent} identifier${sent === 1 ? '' : 's'} sent`);
    else if (removed > found) problems.push(`${removed} persons deleted or queued of ${found} found`);
  }
  if (problems.length > 0) {
    throw new ImplausibleAnswerError(`PostHog's bulk_delete answer does not add up (${problems.join('; ')}); its counts are not trusted`, {
      hint:
        'The server, or a proxy in front of it, is not answering as PostHog does; check --host. The persons may have been deleted all the same; sending the deletion again is harmless.',
    });
  }
}

export const PAGING_HINT = 'The server (or a proxy in front of it) does not page as PostHog does; check --host.';

/** What a page holds, in order, to recognise the same page served twice; undefined when empty. */
export function pageIdentity(results: unknown[]): string | undefined {
  if (results.length === 0) return undefined;
  return results
    .map((item) => {
      const record = item as { uuid?: unknown; id?: unknown; person_uuid?: unknown; created_at?: unknown } | null;
      const key = record?.uuid ?? record?.id ?? record?.person_uuid;
      return key !== undefined ? `${String(key)}@${String(record?.created_at ?? '')}` : JSON.stringify(item);
    })
    .join('\n');
}
