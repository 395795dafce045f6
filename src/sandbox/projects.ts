// The sandbox's organization and its teams. In PostHog a project holds one or more environments
// (teams); the project's first team has the project's own id, and persons belong to a team, so
// every team id here is a persons store of its own (store.ts makes one per team). The records
// keep what PostHog's serializers show, the public project token included.

import { createHash } from 'node:crypto';
import { SANDBOX_ENVIRONMENT_ID, SANDBOX_OTHER_PROJECT_ID, SANDBOX_PROJECT_ID } from './keys.js';
import { uuidV5 } from './random.js';
import { SEED_EPOCH } from './seed.js';

export interface SandboxOrganizationRecord {
  id: string;
  name: string;
  slug: string;
  createdAt: string;
}

export interface SandboxTeamRecord {
  /** The team (environment) id, the `{id}` of /api/environments/{id}/ and of the persons routes. */
  id: number;
  /** The project the team belongs to; equal to `id` for a project's own (first) team. */
  projectId: number;
  name: string;
  organizationId: string;
  uuid: string;
  /** The public project token (`phc_…`) that capture takes. */
  apiToken: string;
  createdAt: string;
}

const NAMESPACE = '5b0c3f52-7c1e-4e55-9a52-0d1a5c7b9e21';
/** Before any seeded person: the organization and its teams came first. */
const SEED_EPOCH_ISO = new Date(SEED_EPOCH - 800 * 86_400_000).toISOString();

export const SANDBOX_ORGANIZATION: SandboxOrganizationRecord = {
  id: uuidV5(NAMESPACE, 'organization:sandbox'),
  name: 'Sandbox Organization',
  slug: 'sandbox-organization',
  createdAt: SEED_EPOCH_ISO,
};

/** The project token (phc_…) of a sandbox team: public, like every project token; derived from the id, so stable across restarts. */
export function sandboxProjectToken(teamId: number): string {
  const digest = createHash('sha256').update(`posthog-persons sandbox project ${teamId}`).digest('base64').replace(/[^A-Za-z0-9]/g, '');
  return `phc_sandbox${teamId}x${digest.slice(0, 28)}`;
}

function team(id: number, projectId: number, name: string): SandboxTeamRecord {
  return { id, projectId, name, organizationId: SANDBOX_ORGANIZATION.id, uuid: uuidV5(NAMESPACE, `team:${id}`), apiToken: sandboxProjectToken(id), createdAt: SEED_EPOCH_ISO };
}

/** In id order, as PostHog lists them. */
export const SANDBOX_TEAMS: readonly SandboxTeamRecord[] = [
  team(SANDBOX_PROJECT_ID, SANDBOX_PROJECT_ID, 'Production'),
  team(SANDBOX_OTHER_PROJECT_ID, SANDBOX_OTHER_PROJECT_ID, 'Staging'),
  team(SANDBOX_ENVIRONMENT_ID, SANDBOX_PROJECT_ID, 'Development'),
];

export const SANDBOX_TEAM_IDS: readonly number[] = SANDBOX_TEAMS.map((t) => t.id);

/** The projects: the teams that are their project's first team. */
export function sandboxProjects(): SandboxTeamRecord[] {
  return SANDBOX_TEAMS.filter((t) => t.id === t.projectId);
}

export function sandboxTeam(id: number): SandboxTeamRecord | undefined {
  return SANDBOX_TEAMS.find((t) => t.id === id);
}

export function sandboxOrganization(id: string): SandboxOrganizationRecord | undefined {
  return id === SANDBOX_ORGANIZATION.id ? SANDBOX_ORGANIZATION : undefined;
}

/** The sandbox's single organization holds every team. */
export function sandboxOrganizations(): SandboxOrganizationRecord[] {
  return [SANDBOX_ORGANIZATION];
}

// ---- the serializers' shapes ----

/** TeamBasicSerializer (environment lists, an organization's `teams`). */
export function teamBasic(t: SandboxTeamRecord): Record<string, unknown> {
  return {
    id: t.id,
    uuid: t.uuid,
    organization: t.organizationId,
    project_id: t.projectId,
    api_token: t.apiToken,
    name: t.name,
    completed_snippet_onboarding: true,
    has_completed_onboarding_for: { product_analytics: true },
    ingested_event: true,
    is_demo: false,
    timezone: 'UTC',
    access_control: false,
  };
}

/** ProjectBackwardCompatBasicSerializer (project lists): the project with its first team's fields. */
export function projectBasicCompat(t: SandboxTeamRecord): Record<string, unknown> {
  return { ...teamBasic(t), project_id: t.id };
}

/** ProjectBasicSerializer (an organization's `projects`). */
export function projectBasic(t: SandboxTeamRecord): Record<string, unknown> {
  return { id: t.id, organization_id: t.organizationId, name: t.name };
}

/** TeamSerializer (an environment's detail), the fields a client reads. */
export function teamDetail(t: SandboxTeamRecord): Record<string, unknown> {
  return { ...teamBasic(t), created_at: t.createdAt, updated_at: t.createdAt, effective_membership_level: 15 };
}

/** OrganizationSerializer: its visible teams and projects are listed inside it. */
export function organizationDetail(o: SandboxOrganizationRecord): Record<string, unknown> {
  const teams = SANDBOX_TEAMS.filter((t) => t.organizationId === o.id);
  return {
    id: o.id,
    name: o.name,
    slug: o.slug,
    logo_media_id: null,
    created_at: o.createdAt,
    updated_at: o.createdAt,
    membership_level: 15,
    plugins_access_level: 9,
    teams: teams.map(teamBasic),
    projects: teams.filter((t) => t.id === t.projectId).map(projectBasic),
    available_product_features: [],
    is_member_join_email_enabled: true,
    metadata: { instance_tag: 'none' },
    customer_id: null,
    enforce_2fa: null,
    members_can_invite: true,
    members_can_use_personal_api_keys: true,
    allow_publicly_shared_resources: true,
    member_count: 1,
  };
}
