// The sandbox's personal API keys. They are fixed, public demo values (the sandbox is a local
// fake), shaped like real keys so that the CLI's key validation treats them as genuine.

import type { SandboxKey } from './types.js';

export const SANDBOX_PROJECT_ID = 1;
/** A second project, so cross-team 404s and project-scoped 403s can be exercised. */
export const SANDBOX_OTHER_PROJECT_ID = 2;
/** An environment of project 1 ("Development"): a team of its own, with persons of its own. */
export const SANDBOX_ENVIRONMENT_ID = 3;

export const SANDBOX_KEYS: {
  all: SandboxKey;
  read: SandboxKey;
  write: SandboxKey;
  legacy: SandboxKey;
  otherProject: SandboxKey;
  projectPersons: SandboxKey;
} = {
  all: { key: 'phx_sandboxAllXAjg4rbW9cRXplcNNPEtEMuPikcJGG', label: 'all', scopes: ['*'] },
  read: {
    key: 'phx_sandboxReadEnkClZ1XF0a0nh3D7UDKxZaR8MJEn',
    label: 'read',
    scopes: ['person:read', 'activity_log:read'],
  },
  write: {
    key: 'phx_sandboxWritetfa3DcQt0HCrn3prbQA73pS78mWp',
    label: 'write',
    scopes: ['person:write', 'activity_log:read'],
  },
  /** Scope-less, like keys created before scopes existed: allowed everything. */
  legacy: { key: 'phx_sandboxLegacyJfOAhSM0K3Yv9DREFJVf2h3vyNh', label: 'legacy', scopes: [] },
  otherProject: {
    key: 'phx_sandboxOtherProjectoT8AIvCeSzOEH4itcOxS7',
    label: 'otherProject',
    scopes: ['*'],
    scopedTeams: [SANDBOX_OTHER_PROJECT_ID],
  },
  /** What a GDPR job would get: person scopes only, limited to project 2 (it may list nothing). */
  projectPersons: {
    key: 'phx_sandboxProjectPersonsW4kZr9TqY2mLc7NvB3x',
    label: 'projectPersons',
    scopes: ['person:write'],
    scopedTeams: [SANDBOX_OTHER_PROJECT_ID],
  },
};

const byValue = new Map<string, SandboxKey>(
  Object.values(SANDBOX_KEYS).map((k) => [k.key, k]),
);

export function findSandboxKey(value: string): SandboxKey | undefined {
  return byValue.get(value);
}
