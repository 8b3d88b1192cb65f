/**
 * What the fake's route modules share: its stored records, the helpers every route uses, and the answers
 * FastAPI gives (`{"detail": …}` and pydantic's 422). Internal to `@x/inkpass/testing`.
 *
 * @module
 */
import type { Context, Hono } from 'hono';
import type { FakeClock } from './clock.ts';
import type { FakeOrganization, FakeUser } from './fake-inkpass.ts';
import type { RoleTemplate, TemplateName } from './permissions.ts';

/** A user's membership of their organisation: the legacy role string and the role template. */
export interface Membership {
  /** The organisation. */
  organizationId: string;
  /** `owner`, `admin`, `member`, … (`owner` passes every check). */
  role: string;
  /** The role template, if one is assigned. */
  roleTemplate?: RoleTemplate;
}

/** A user as the fake stores it. */
export interface StoredUser extends FakeUser {
  /** The (fast, fake) password hash. */
  passwordHash: string;
  /** The membership of the primary organisation. */
  membership: Membership;
}

/** A one-time code as upstream's `otp_codes` table holds it. */
export interface StoredOtp {
  /** Whose code. */
  userId: string;
  /** The code (the fake keeps it readable; upstream stores its hash). */
  code: string;
  /** `reset_password` or `email_change:<new email>`. */
  purpose: string;
  /** Epoch ms. */
  expiresAt: number;
  /** Epoch ms once used (or invalidated). */
  usedAt: number | null;
}

/** A group as the fake stores it. */
export interface StoredGroup {
  /** UUID. */
  id: string;
  /** Its organisation. */
  organizationId: string;
  /** Unique within the organisation. */
  name: string;
  /** Optional text. */
  description: string | null;
  /** Member user ids. */
  members: Set<string>;
  /** Permission ids granted to members. */
  permissions: Set<string>;
}

/** An answer a route helper gives instead of a value. */
export type Refusal = Response;

/** The fake's state and helpers, handed to each route module. */
export interface FakeContext {
  /** The Hono app routes are added to. */
  app: Hono;
  /** The fake's clock. */
  clock: FakeClock;
  /** Users by id. */
  users: Map<string, StoredUser>;
  /** Organisations by id. */
  orgs: Map<string, FakeOrganization>;
  /** Groups by id. */
  groups: Map<string, StoredGroup>;
  /** Permissions by id. */
  permissions: Map<
    string,
    { id: string; resource: string; action: string; conditions: Record<string, unknown> }
  >;
  /** Direct grants: user id → permission ids. */
  directGrants: Map<string, Set<string>>;
  /** Memberships of organisations other than a user's primary one (an accepted invitation). */
  extraMemberships: Array<{ userId: string } & Membership>;
  /** Creates an organisation (a unique slug unless one is given). */
  createOrganization(name: string, slug?: string): FakeOrganization;
  /** The permission template applied to an organisation, if any. */
  templateOf(organizationId: string): TemplateName | undefined;
  /** Signs a token for `sub` with these claims, valid `ttl` seconds. */
  sign(sub: string, claims: Record<string, unknown>, ttl: number): Promise<string>;
  /** One-time codes, oldest first. */
  otps: StoredOtp[];
  /** What the fake mailed, by recipient (as stored): the latest code of each kind. */
  mail: Map<string, Map<string, string>>;
  /** The user of a stored email. */
  userByEmail(email: string): StoredUser | undefined;
  /** The fake's password hash. */
  hashPassword(password: string): string;
  /** Ends every session of a user (their tokens stop working). */
  endSessions(userId: string): Promise<void>;
  /** The token's user, or 401 `Authentication required`. */
  requireUser(c: Context): Promise<StoredUser | Refusal>;
  /** `Depends(require_permission(resource, action))`: a user (401) holding the pair (403). */
  permitted(c: Context, resource: string, action: string): Promise<StoredUser | Refusal>;
  /** The JSON object body, or undefined. */
  readJson(c: Context): Promise<Record<string, unknown> | undefined>;
  /** Required string fields of a body, or the 422 for the first problem. */
  requireStrings(c: Context, body: Record<string, unknown> | undefined, names: string[]): Refusal | undefined;
  /** A body's email as the server's validator normalises it, or its 422. */
  validEmail(c: Context, email: string, field?: string): string | Refusal;
}

/** Epoch ms as the server's zone-less UTC ISO 8601. */
export const iso = (ms: number | null): string | null =>
  ms === null ? null : new Date(ms).toISOString().replace('Z', '');

/** A pydantic-style 422 body. */
export function unprocessable(c: Context, loc: string[], msg: string, type = 'value_error'): Response {
  return c.json({ detail: [{ type, loc, msg }] }, 422);
}

/** A `{"detail": message}` answer. */
export const detail = (
  c: Context,
  status: 400 | 401 | 403 | 404 | 409 | 410 | 413 | 500,
  message: string,
): Response => c.json({ detail: message }, status);

/** A 6-digit one-time code. */
export function sixDigits(random: Uint8Array): string {
  const n = ((random[0]! << 24) | (random[1]! << 16) | (random[2]! << 8) | random[3]!) >>> 0;
  return String(n % 1_000_000).padStart(6, '0');
}

/**
 * Upstream's name validators (`validate_person_name`, `_validate_org_name`): the trimmed value, or pydantic's
 * `Value error, …` message for it.
 */
export function checkedName(
  value: string,
  label: string,
  max: number,
  pattern: RegExp,
): string | { error: string } {
  const trimmed = value.trim();
  const length = [...trimmed].length;
  if (length < 2) return { error: `Value error, ${label} must be at least 2 characters` };
  if (length > max) return { error: `Value error, ${label} must be at most ${max} characters` };
  if (!pattern.test(trimmed)) return { error: `Value error, ${label} contains invalid characters` };
  return trimmed;
}
