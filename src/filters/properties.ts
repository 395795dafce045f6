// `list --properties JSON`: the raw PostHog property filter array (docs/posthog-api-notes.md,
// "Property filters"), for the
// filters `--where` cannot express (regex, cohorts, HogQL, date operators, lists of values).
// Checked here only as far as needed to fail before any request with a message naming the
// problem; the server validates the rest, and its error detail is shown as it is.

import { UsageError } from '../errors.js';
import type { PropertyFilter } from './where.js';

const EXAMPLE = '[{"key":"email","value":"ada@example.com","operator":"exact","type":"person"}]';

/**
 * Parses and checks the filter array. The items are returned as given, not normalised: PostHog
 * defaults a missing `operator` to exact and `type` to person, and other types (`cohort`,
 * `hogql`) are passed through, so the `PropertyFilter` type is the common case, not a guarantee.
 */
export function parsePropertiesJson(raw: string): PropertyFilter[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError(`--properties is not valid JSON: ${reason}`, `expected a filter array like ${EXAMPLE}`);
  }
  if (!Array.isArray(parsed)) {
    const got = parsed === null ? 'null' : typeof parsed === 'object' ? 'an object' : `a ${typeof parsed}`;
    // A single filter object is the likely mistake, and the server would reject it (500 on older
    // versions), so say how to fix it.
    const hint = got === 'an object' ? 'wrap the filter in [ ]' : `expected a filter array like ${EXAMPLE}`;
    throw new UsageError(`--properties must be a JSON array of property filters, got ${got}`, hint);
  }
  parsed.forEach((item: unknown, index) => {
    const where = `--properties item ${index + 1}`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new UsageError(`${where} is not an object: ${JSON.stringify(item)}`, `expected ${EXAMPLE}`);
    }
    const filter = item as Record<string, unknown>;
    if (typeof filter.key !== 'string' || filter.key === '') {
      throw new UsageError(`${where} has no "key" string: ${JSON.stringify(item)}`, `expected ${EXAMPLE}`);
    }
    for (const field of ['operator', 'type'] as const) {
      const value = filter[field];
      if (value !== undefined && value !== null && typeof value !== 'string') {
        throw new UsageError(`${where} has a non-string "${field}": ${JSON.stringify(item)}`);
      }
    }
  });
  return parsed as PropertyFilter[];
}
