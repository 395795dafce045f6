// docs/reliability.md is generated from the reliability tests' data; this fails when the two differ.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REGENERATE, renderReliabilityDoc } from './reliability-doc.js';

describe('docs/reliability.md', () => {
  it('matches the fault matrix, the bad-input catalogue and the kill plan it is rendered from', () => {
    let current = '';
    try {
      current = readFileSync(join(__dirname, '../../docs/reliability.md'), 'utf8');
    } catch {
      // missing: out of date
    }
    expect(current === renderReliabilityDoc(), `docs/reliability.md is out of date: run \`${REGENERATE}\``).toBe(true);
  });
});
