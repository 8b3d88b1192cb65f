/**
 * Developer permission presets, as the upstream Python SDK's `dev_permissions` defines them: the
 * (resource, action) pairs each platform service uses, their union, and role presets built from them. Lists
 * are sorted by resource, then action.
 *
 * @module
 */
import type { PermissionPair } from './client.ts';
import { invalidInput } from './errors.ts';
import type { EffectivePermission } from './models.ts';

/** Expands `{ resource: 'action action …' }` into sorted pairs. */
function pairs(spec: Record<string, string>): readonly PermissionPair[] {
  return sorted(
    Object.entries(spec).flatMap(([r, actions]) => actions.split(' ').map((a) => [r, a] as const)),
  );
}

/** The pairs sorted and without repeats. */
function sorted(list: readonly PermissionPair[]): readonly PermissionPair[] {
  const seen = new Map(list.map((p) => [`${p[0]}\0${p[1]}`, p] as const));
  return [...seen.keys()].sort().map((key) => seen.get(key)!);
}

const union = (...lists: ReadonlyArray<readonly PermissionPair[]>) => sorted(lists.flat());
const withActions = (list: readonly PermissionPair[], actions: string) =>
  list.filter((p) => actions.split(' ').includes(p[1]));
const resourcesOf = (list: readonly PermissionPair[]): readonly string[] => [
  ...new Set(list.map((p) => p[0])),
];

/** Tentacle (workflows, agents, tasks, events, workspace, …). */
export const TENTACLE_PERMISSIONS: readonly PermissionPair[] = pairs({
  workflows: 'view create update execute delete control',
  workflow_specs: 'view create update delete share',
  workflow_runs: 'view execute',
  agents: 'view create update delete execute search',
  tasks: 'view create update delete execute assign',
  checkpoints: 'view resolve',
  preferences: 'view create delete',
  events: 'view publish subscribe',
  webhooks: 'view create delete',
  workspace: 'view create update delete query',
  workspace_types: 'view create',
  audit: 'view',
  metrics: 'view admin',
});

/** Mimic (notifications, templates, provider keys, delivery logs, …). */
export const MIMIC_PERMISSIONS: readonly PermissionPair[] = pairs({
  notifications: 'send view',
  templates: 'view create update delete',
  workflows: 'view create update delete trigger',
  provider_keys: 'view create update delete test',
  delivery_logs: 'view',
  analytics: 'view',
  webhooks: 'configure view',
  gateway: 'view admin',
});

/** The AIOS platform (jobs, customers, credits, cells, usage, marketplace). */
export const AIOS_PERMISSIONS: readonly PermissionPair[] = pairs({
  jobs: 'view update delete retry cancel',
  customers: 'view create update delete',
  credits: 'view create spend',
  cells: 'view create manage delete provision restart',
  usage: 'view admin',
  marketplace: 'view create update delete publish purchase download review admin',
});

/** inkPass's own (organisation, users, groups, permissions, API keys, billing, files, plans). */
export const INKPASS_PERMISSIONS: readonly PermissionPair[] = pairs({
  organization: 'view manage',
  users: 'view create manage delete',
  groups: 'view create manage delete',
  permissions: 'view create manage delete assign',
  api_keys: 'view create manage delete',
  billing: 'view create manage',
  files: 'view create manage delete',
  plans: 'view create manage',
});

/** Every pair of the four services. */
export const ALL_PERMISSIONS: readonly PermissionPair[] = union(
  TENTACLE_PERMISSIONS,
  MIMIC_PERMISSIONS,
  AIOS_PERMISSIONS,
  INKPASS_PERMISSIONS,
);

/** The resources of each service's pairs. */
export const TENTACLE_RESOURCES: readonly string[] = resourcesOf(TENTACLE_PERMISSIONS);
/** Mimic's resources. */
export const MIMIC_RESOURCES: readonly string[] = resourcesOf(MIMIC_PERMISSIONS);
/** The AIOS platform's resources. */
export const AIOS_RESOURCES: readonly string[] = resourcesOf(AIOS_PERMISSIONS);
/** inkPass's resources. */
export const INKPASS_RESOURCES: readonly string[] = resourcesOf(INKPASS_PERMISSIONS);

/** The services {@link permissionsForService} knows. */
export type DevService = 'tentacle' | 'mimic' | 'aios' | 'inkpass';

/** What each service needs: its own pairs with inkPass's (inkPass: its own). */
export const SERVICE_PERMISSIONS: Readonly<Record<DevService, readonly PermissionPair[]>> = {
  tentacle: union(TENTACLE_PERMISSIONS, INKPASS_PERMISSIONS),
  mimic: union(MIMIC_PERMISSIONS, INKPASS_PERMISSIONS),
  aios: union(AIOS_PERMISSIONS, INKPASS_PERMISSIONS),
  inkpass: INKPASS_PERMISSIONS,
};

/** The role presets {@link permissionsForPreset} knows. */
export type RolePreset =
  | 'admin'
  | 'tentacle_admin'
  | 'mimic_admin'
  | 'aios_admin'
  | 'developer'
  | 'operator'
  | 'viewer'
  | 'workflow_operator'
  | 'notification_sender';

/**
 * Role presets: `admin` (everything), the service admins, `developer` (view, create, update, execute,
 * trigger, query, search, send), `operator` (view, execute, trigger, query, search, send, resolve), `viewer`
 * (view, query, search), and the narrow `workflow_operator` and `notification_sender`.
 */
export const ROLE_PRESETS: Readonly<Record<RolePreset, readonly PermissionPair[]>> = {
  admin: ALL_PERMISSIONS,
  tentacle_admin: SERVICE_PERMISSIONS.tentacle,
  mimic_admin: SERVICE_PERMISSIONS.mimic,
  aios_admin: SERVICE_PERMISSIONS.aios,
  developer: withActions(ALL_PERMISSIONS, 'view create update execute trigger query search send'),
  operator: withActions(ALL_PERMISSIONS, 'view execute trigger query search send resolve'),
  viewer: withActions(ALL_PERMISSIONS, 'view query search'),
  workflow_operator: pairs({
    workflows: 'view execute',
    workflow_specs: 'view',
    workflow_runs: 'view execute',
    agents: 'view execute',
    tasks: 'view execute',
    checkpoints: 'view resolve',
  }),
  notification_sender: pairs({ notifications: 'send view', templates: 'view', delivery_logs: 'view' }),
};

function lookup<T>(table: Readonly<Record<string, T>>, name: string, field: string, kind: string): T {
  if (!Object.hasOwn(table, name)) {
    throw invalidInput(
      field,
      `unknown ${kind} ${JSON.stringify(name)}; available: ${Object.keys(table).sort().join(', ')}.`,
    );
  }
  return table[name]!;
}

/** The pairs of a role preset; an unknown name is a `ValidationError` listing the presets. */
export function permissionsForPreset(preset: RolePreset | (string & {})): readonly PermissionPair[] {
  return lookup(ROLE_PRESETS, preset, 'preset', 'preset');
}

/** The pairs a service needs; an unknown name is a `ValidationError` listing the services. */
export function permissionsForService(service: DevService | (string & {})): readonly PermissionPair[] {
  return lookup(SERVICE_PERMISSIONS, service, 'service', 'service');
}

/** Pairs as the permission API's bodies take them: `[{ resource, action }]`, sorted. */
export function formatPermissionsForApi(list: readonly PermissionPair[]): EffectivePermission[] {
  return sorted(list).map(([resource, action]) => ({ resource, action }));
}

/** The pairs outside inkPass's own (Tentacle, Mimic and AIOS), which a fresh inkPass does not define yet. */
export function newPermissions(): readonly PermissionPair[] {
  return union(TENTACLE_PERMISSIONS, MIMIC_PERMISSIONS, AIOS_PERMISSIONS);
}
