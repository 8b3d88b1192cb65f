/**
 * The fake's permission model (spec §8): role templates with inheritance, the legacy owner shortcut, then
 * direct and group permissions whose ABAC conditions must all equal the request context.
 *
 * @module
 */
import { ALL_PERMISSIONS } from '../dev-permissions.ts';

/**
 * Known resources and their actions (spec §8): what the server's permission templates grant from, i.e. the
 * developer presets' union plus `capabilities` and `integrations`, which the templates have and the upstream
 * SDK's presets lack. Role templates grant from this set.
 */
export const KNOWN_PERMISSIONS: Readonly<Record<string, readonly string[]>> = (() => {
  const table: Record<string, string[]> = {
    capabilities: ['view', 'manage'],
    integrations: ['view', 'create', 'update', 'delete', 'execute'],
  };
  for (const [resource, action] of ALL_PERMISSIONS) {
    table[resource] ??= [];
    table[resource].push(action);
  }
  return table;
})();

/** The role templates a membership can carry. */
export type RoleTemplate = 'owner' | 'admin' | 'developer' | 'viewer';

const roleGrants: Record<
  RoleTemplate,
  { inherits?: RoleTemplate; grants: (r: string, a: string) => boolean }
> = {
  owner: { grants: () => true },
  admin: { inherits: 'developer', grants: (r, a) => !(r === 'billing' && a === 'manage') },
  developer: {
    inherits: 'viewer',
    grants: (_r, a) =>
      ['view', 'create', 'update', 'execute', 'trigger', 'query', 'search', 'send', 'resolve'].includes(a),
  },
  viewer: { grants: (_r, a) => ['view', 'query', 'search'].includes(a) },
};

/** Whether a role template (with what it inherits) grants the pair; only known pairs are granted. */
export function roleGrantsPermission(role: RoleTemplate, resource: string, action: string): boolean {
  if (!KNOWN_PERMISSIONS[resource]?.includes(action)) return false;
  for (let r: RoleTemplate | undefined = role; r; r = roleGrants[r].inherits) {
    if (roleGrants[r].grants(resource, action)) return true;
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

/** What a role template grants, inherited roles included, sorted by resource then action (as upstream lists it). */
export function rolePermissions(role: RoleTemplate): Array<{ resource: string; action: string }> {
  return Object.entries(KNOWN_PERMISSIONS)
    .flatMap(([resource, actions]) =>
      actions
        .filter((action) => roleGrantsPermission(role, resource, action))
        .map((action) => ({ resource, action })),
    )
    .sort((x, y) =>
      x.resource === y.resource ? (x.action < y.action ? -1 : 1) : x.resource < y.resource ? -1 : 1,
    );
}
