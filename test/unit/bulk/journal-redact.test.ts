// Every kind of PostHog secret is masked in journals and in messages: personal API keys (phx_),
// OAuth access and refresh tokens (pha_, phr_) and secret keys (phs_). Identifiers stay exact.
import { describe, expect, it } from 'vitest';
import { redact } from '../../../src/errors.js';
import { serializeEntry } from '../../../src/bulk/journal/redact.js';

const SECRETS = {
  phx: 'phx_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
  pha: 'pha_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
  phr: 'phr_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
  phs: 'phs_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
};

describe.each(Object.entries(SECRETS))('a %s_ secret', (_prefix, secret) => {
  it('is masked in a journal line (an error message, a response), never in the identifiers', () => {
    const line = serializeEntry({
      type: 'batch',
      ids: [secret],
      error: `PostHog answered 401: the key ${secret} is not valid`,
      response: { detail: `token ${secret}` },
    });
    const parsed = JSON.parse(line);
    expect(parsed.ids).toEqual([secret]);
    expect(parsed.error).not.toContain(secret);
    expect(parsed.error).toContain(`${secret.slice(0, 4)}`);
    expect(JSON.stringify(parsed.response)).not.toContain(secret);
    expect(line.split(secret).length).toBe(2); // only in ids
  });

  it('is masked in an error message', () => {
    const text = redact(`unknown option '--api-key=${secret}'`, []);
    expect(text).not.toContain(secret);
    expect(text).toContain(`${secret.slice(-4)}`);
  });
});
