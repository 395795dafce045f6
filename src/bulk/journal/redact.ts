// Keeps secrets out of the journal. The journal is never handed the API key, but it does record
// server answers, errors and flags that a caller builds; this is the net under all of them.

import { maskKey, SECRET_PREFIX } from '../../errors.js';
import { stringifyExact } from '../../json/exact-number.js';

/** Names under which a credential travels: headers, and keys like apiKey, client_secret, token. */
const SECRET_NAME = /^(authorization|proxy-authorization|cookie|set-cookie)$|(api[-_]?key|secret|password|passwd|token)$/i;
/** A PostHog secret (phx_, pha_, phr_, phs_) anywhere inside a string (an error message, a logged request). */
const PERSONAL_KEY = new RegExp(`${SECRET_PREFIX}[A-Za-z0-9_-]{8,}`, 'g');
const BEARER = /\b(Bearer|Basic)\s+[^\s"',;]+/gi;

/** One journal line (without its "\n"): JSON with credentials masked. */
export function serializeEntry(entry: object): string {
  // Identifiers are recorded exactly as sent, or a resumed run could not recognise them as done.
  const ids = (entry as { ids?: unknown }).ids;
  // Integers past 2^53 (ExactNumber) are written as their digits, like every machine format.
  return stringifyExact(entry, undefined, function (this: unknown, key: string, value: unknown): unknown {
    if (this === ids) return value;
    if (typeof value === 'bigint') return value.toString();
    if (key !== '' && SECRET_NAME.test(key) && value !== null && value !== undefined && value !== '') return '[redacted]';
    if (typeof value === 'string') return redactString(value);
    return value;
  });
}

export function redactString(text: string): string {
  return text.replace(PERSONAL_KEY, (key) => maskKey(key)).replace(BEARER, (_, scheme: string) => `${scheme} [redacted]`);
}
