// Where capture requests go (src/api/capture.ts): the ingestion host of PostHog Cloud's region, a
// self-hosted instance's own host, or --capture-host, checked like --host.
import { describe, expect, it } from 'vitest';
import { captureHostFor } from '../../../src/api/capture.js';

describe('captureHostFor', () => {
  it('follows the API host', () => {
    expect(captureHostFor('https://us.posthog.com')).toBe('https://us.i.posthog.com');
    expect(captureHostFor('https://app.posthog.com')).toBe('https://us.i.posthog.com');
    expect(captureHostFor('https://eu.posthog.com')).toBe('https://eu.i.posthog.com');
    expect(captureHostFor('https://posthog.example.com/ph')).toBe('https://posthog.example.com/ph');
    expect(captureHostFor('http://127.0.0.1:8000')).toBe('http://127.0.0.1:8000');
  });

  it('--capture-host overrides: https, or http to this machine only; no credentials, query or fragment', () => {
    expect(captureHostFor('https://us.posthog.com', 'https://ingest.example.com/')).toBe('https://ingest.example.com');
    expect(captureHostFor('https://us.posthog.com', 'http://localhost:8010')).toBe('http://localhost:8010');
    expect(() => captureHostFor('https://us.posthog.com', 'http://ingest.example.com')).toThrow(/--capture-host: refusing plain http:\/\/ to ingest.example.com/);
    expect(() => captureHostFor('https://us.posthog.com', 'https://u:p@ingest.example.com')).toThrow(/credentials/);
    expect(() => captureHostFor('https://us.posthog.com', 'ftp://x')).toThrow(/https/);
    expect(() => captureHostFor('https://us.posthog.com', 'not a url')).toThrow(/not a URL/);
  });
});
