/**
 * The fake's permission model: role templates with inheritance, the legacy owner shortcut, then
 * direct and group permissions whose ABAC conditions must all equal the request context.
 *
 * @module
 */
import {
  ALL_PERMISSIONS,
  INKPASS_PERMISSIONS,
  MIMIC_PERMISSIONS,
  TENTACLE_PERMISSIONS,
} from '../dev-permissions.ts';

/** Pairs grouped by resource, after `start`'s. */
function tableOf(
  pairs: ReadonlyArray<readonly [string, string]>,
  start: Record<string, string[]> = {},
): Record<string, string[]> {
  const table = { ...start };
  for (const [resource, action] of pairs) {
    table[resource] ??= [];
    table[resource].push(action);
  }
  return table;
}

/**
 * Known resources and their actions: what the server's permission templates grant from, i.e. the
 * developer presets' union plus `capabilities` and `integrations`, which the templates have and the upstream
 * SDK's presets lack. Role templates grant from this set.
 */
export const KNOWN_PERMISSIONS: Readonly<Record<string, readonly string[]>> = tableOf(ALL_PERMISSIONS, {
  capabilities: ['view', 'manage'],
  integrations: ['view', 'create', 'update', 'delete', 'execute'],
});

/** The role templates a membership can carry. */
export type RoleTemplate = 'owner' | 'admin' | 'developer' | 'viewer';

/** The permission templates the server defines (one per product). */
export type TemplateName = 'INKPASS_SOLO' | 'TENTACLE_SOLO' | 'MIMIC_SOLO' | 'AIOS_BUNDLE';

const has = (table: Readonly<Record<string, readonly string[]>>, r: string, a: string) =>
  table[r]?.includes(a) === true;
const inkpassCore = tableOf(INKPASS_PERMISSIONS);
/** The pairs each template's roles grant from: its product's permissions and inkPass's own. */
const UNIVERSES: Record<TemplateName, (r: string, a: string) => boolean> = {
  INKPASS_SOLO: (r, a) => has(inkpassCore, r, a),
  TENTACLE_SOLO: (r, a) =>
    has(inkpassCore, r, a) ||
    has(tableOf(TENTACLE_PERMISSIONS), r, a) ||
    r === 'capabilities' ||
    r === 'integrations',
  MIMIC_SOLO: (r, a) =>
    has(inkpassCore, r, a) ||
    has(tableOf(MIMIC_PERMISSIONS), r, a) ||
    (r === 'integrations' && a !== 'execute'),
  AIOS_BUNDLE: (r, a) => has(KNOWN_PERMISSIONS, r, a),
};

const DEVELOPER_ACTIONS = [
  'view',
  'create',
  'update',
  'execute',
  'trigger',
  'query',
  'search',
  'send',
  'resolve',
];
const roleGrants: Record<
  RoleTemplate,
  { inherits?: RoleTemplate; grants: (r: string, a: string, template: TemplateName) => boolean }
> = {
  owner: { grants: () => true },
  // All but billing:manage (and, in the bundle, the platform's usage:admin and marketplace:admin).
  admin: {
    inherits: 'developer',
    grants: (r, a, t) =>
      !(r === 'billing' && a === 'manage') &&
      !(t === 'AIOS_BUNDLE' && a === 'admin' && (r === 'usage' || r === 'marketplace')),
  },
  developer: { inherits: 'viewer', grants: (_r, a) => DEVELOPER_ACTIONS.includes(a) },
  viewer: { grants: (_r, a) => ['view', 'query', 'search'].includes(a) },
};

/**
 * Whether a role of a template (with what it inherits) grants the pair; only the template's pairs are
 * granted. Without a template: the platform bundle's, whose pairs are every known one.
 */
export function roleGrantsPermission(
  role: RoleTemplate,
  resource: string,
  action: string,
  template: TemplateName = 'AIOS_BUNDLE',
): boolean {
  if (!UNIVERSES[template](resource, action)) return false;
  for (let r: RoleTemplate | undefined = role; r; r = roleGrants[r].inherits) {
    if (roleGrants[r].grants(resource, action, template)) return true;
  }
  return false;
}

/** Whether every condition key is present in the context with an equal value (plain equality). */
export function conditionsMatch(
  conditions: Record<string, unknown>,
  context: Record<string, unknown>,
): boolean {
  return Object.entries(conditions).every(
    ([key, value]) => Object.hasOwn(context, key) && sameValue(context[key], value),
  );
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * What a role of a template grants, inherited roles included (or, with `inherited: false`, the role's own
 * pairs), sorted by resource then action as upstream lists it.
 */
export function rolePermissions(
  role: RoleTemplate,
  template: TemplateName = 'AIOS_BUNDLE',
  inherited = true,
): Array<{ resource: string; action: string }> {
  const grants = (r: string, a: string) =>
    inherited
      ? roleGrantsPermission(role, r, a, template)
      : UNIVERSES[template](r, a) && roleGrants[role].grants(r, a, template);
  return Object.entries(KNOWN_PERMISSIONS)
    .flatMap(([resource, actions]) =>
      actions.filter((action) => grants(resource, action)).map((action) => ({ resource, action })),
    )
    .sort((x, y) =>
      x.resource === y.resource ? (x.action < y.action ? -1 : 1) : x.resource < y.resource ? -1 : 1,
    );
}
