/**
 * Scope strings and the role table.
 *
 * @module
 */

/** Every scope an app token may carry. */
export const SCOPES = {
  /** Call any external HTTPS API. */
  external: 'external:*',
  /** Read internal APIs (GET). */
  internalRead: 'internal:read',
  /** Mutate internal APIs (POST, PUT, PATCH, DELETE). */
  internalWrite: 'internal:write',
  /** Read user-scoped data. */
  dbUserRead: 'db:user:read',
  /** Read and write user-scoped data. */
  dbUserRw: 'db:user:rw',
  /** Read session-scoped data. */
  dbSessionRead: 'db:session:read',
  /** Read and write session-scoped data. */
  dbSessionRw: 'db:session:rw',
  /** Read shared databases (admin and above; no route uses it yet, as upstream). */
  dbSharedRead: 'db:shared:read',
} as const;

/** A role of the platform's RBAC; any other string is treated as `viewer`. */
export type Role = 'viewer' | 'member' | 'admin' | 'system_admin' | 'platform_owner';

const viewer = ['internal:read', 'db:user:read', 'db:session:read'];
const member = [
  'internal:read',
  'internal:write',
  'external:*',
  'db:user:read',
  'db:user:rw',
  'db:session:read',
  'db:session:rw',
];
const admin = [...member, 'db:shared:read'];
const table: Record<Role, readonly string[]> = {
  viewer,
  member,
  admin,
  system_admin: admin,
  platform_owner: admin,
};

/**
 * The scope list of a role, in upstream order, as a fresh array. Unknown roles get the viewer list.
 *
 * @example
 * ```ts
 * scopeFromRole('member'); // ['internal:read', 'internal:write', 'external:*', …]
 * ```
 */
export function scopeFromRole(role: Role | (string & {})): string[] {
  return [...(Object.hasOwn(table, role) ? table[role as Role] : viewer)];
}

/** Which kind of data a storage route touches: the user's own or the current session's. */
export type StorageScope = 'user' | 'session';

/** The scopes that allow reading (`'read'`) or writing (`'rw'`) `storage` data: rw always implies read. */
export function storageScopes(storage: StorageScope, access: 'read' | 'rw'): string[] {
  return access === 'rw' ? [`db:${storage}:rw`] : [`db:${storage}:read`, `db:${storage}:rw`];
}
