// Small fetch helpers for the sandbox tests.

import { SANDBOX_KEYS, type Sandbox, type SandboxKey } from '../../../src/sandbox/index.js';

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export interface CallOptions {
  method?: string;
  body?: unknown;
  key?: SandboxKey | null;
  headers?: Record<string, string>;
}

/** Calls the sandbox with the `all` key (unless told otherwise) and reads the whole answer. */
export async function call(sb: Sandbox, path: string, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  const key = options.key === undefined ? SANDBOX_KEYS.all : options.key;
  if (key) headers.Authorization = `Bearer ${key.key}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['Content-Type'] ??= 'application/json';
  }
  const response = await fetch(`${sb.url}${path}`, { method: options.method ?? 'GET', headers, body, redirect: 'manual' });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export const P = '/api/projects/1/persons';

export function filterQuery(filters: unknown[]): string {
  return `properties=${encodeURIComponent(JSON.stringify(filters))}`;
}
