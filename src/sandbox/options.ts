// Resolved sandbox options: defaults filled in, the rate-limit shorthand expanded. The server,
// the store and the handlers all read the same live object, which setOptions() patches.

import { GENERATIONS, type Generation, type MutableSandboxOptions, type RateLimitConfig, type SandboxOptions } from './types.js';

export interface RuntimeOptions {
  port: number;
  persons: number;
  seed: number;
  ghosts: number;
  writeLagMs: number;
  listLagMs: number;
  rateLimit: RateLimitConfig | null;
  latencyMs: number;
  failRate: number;
  deleteMode: 'sync' | 'async';
  generation: Generation;
  eventBatchMs: number;
  log: ((line: string) => void) | undefined;
}

function nonNegative(value: number | undefined, fallback: number): number {
  return value === undefined || !Number.isFinite(value) || value < 0 ? fallback : value;
}

/** `undefined`/0 means no limit; a number sets both the read and delete budgets per minute. */
export function normaliseRateLimit(value: SandboxOptions['rateLimit']): RateLimitConfig | null {
  if (value === undefined || value === 0) return null;
  if (typeof value === 'number') return value > 0 ? { read: value, delete: value } : null;
  return { ...value };
}

export function resolveOptions(options: SandboxOptions = {}): RuntimeOptions {
  return {
    port: options.port ?? 0,
    persons: Math.floor(nonNegative(options.persons, 500)),
    seed: options.seed ?? 1,
    ghosts: Math.floor(nonNegative(options.ghosts, 0)),
    writeLagMs: nonNegative(options.writeLagMs, 1500),
    listLagMs: nonNegative(options.listLagMs, 0),
    rateLimit: normaliseRateLimit(options.rateLimit),
    latencyMs: nonNegative(options.latencyMs, 0),
    failRate: Math.min(1, nonNegative(options.failRate, 0)),
    deleteMode: options.deleteMode ?? 'sync',
    generation: options.generation !== undefined && GENERATIONS.includes(options.generation) ? options.generation : options.legacy ? 'older' : 'newest',
    eventBatchMs: nonNegative(options.eventBatchMs, 5000),
    log: options.log,
  };
}

export function patchOptions(target: RuntimeOptions, patch: MutableSandboxOptions): void {
  if ('latencyMs' in patch) target.latencyMs = nonNegative(patch.latencyMs, 0);
  if ('failRate' in patch) target.failRate = Math.min(1, nonNegative(patch.failRate, 0));
  if ('rateLimit' in patch) target.rateLimit = normaliseRateLimit(patch.rateLimit);
  if ('writeLagMs' in patch) target.writeLagMs = nonNegative(patch.writeLagMs, 1500);
  if ('listLagMs' in patch) target.listLagMs = nonNegative(patch.listLagMs, 0);
  if (patch.deleteMode !== undefined) target.deleteMode = patch.deleteMode;
  if (patch.legacy !== undefined) target.generation = patch.legacy ? 'older' : 'newest';
  if (patch.generation !== undefined && GENERATIONS.includes(patch.generation)) target.generation = patch.generation;
}
