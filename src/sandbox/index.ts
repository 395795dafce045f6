// The sandbox: a local, PostHog-compatible persons API with generated data, fault injection and
// a request log. It reproduces PostHog's behaviour as docs/posthog-api-notes.md and
// docs/posthog-versions.md describe it.

import { SANDBOX_KEYS, SANDBOX_PROJECT_ID } from './keys.js';
import type { Sandbox } from './handle.js';
import type { SandboxKey } from './types.js';

export { SANDBOX_ENVIRONMENT_ID, SANDBOX_KEYS, SANDBOX_OTHER_PROJECT_ID, SANDBOX_PROJECT_ID } from './keys.js';
export { SANDBOX_ORGANIZATION, SANDBOX_TEAMS } from './projects.js';
export type { SandboxOrganizationRecord, SandboxTeamRecord } from './projects.js';
export { startSandbox } from './server.js';
export { sandboxProjectToken } from './project-detail.js';
export { SandboxStore } from './store.js';
export type { DeletionStatusView, NewPerson } from './store.js';
export type { ActivityEntry, PendingWrite, PersonRecord, PropertySnapshot } from './model.js';
export { uuidFromDistinctId } from './random.js';
export { SEED_EPOCH } from './seed.js';
export { GENERATIONS } from './types.js';
export type { Sandbox } from './handle.js';
export type {
  FaultKind, Generation, MutableSandboxOptions, RateLimitConfig, RequestLogEntry, SandboxClock, SandboxKey, SandboxOptions, ScriptedFault,
} from './types.js';

/**
 * The lines a user pastes into a shell to point the CLI at this sandbox, joined with newlines
 * (no trailing one). The key is a public demo value, so printing it is intended.
 */
export function formatEnvLines(sandbox: Pick<Sandbox, 'url'>, key: SandboxKey = SANDBOX_KEYS.legacy): string {
  return [
    `export POSTHOG_HOST=${sandbox.url}`,
    `export POSTHOG_PROJECT_ID=${SANDBOX_PROJECT_ID}`,
    `export POSTHOG_PERSONAL_API_KEY=${key.key}`,
  ].join('\n');
}
