/**
 * Wire models: valibot schemas with the server's field names, transformed to the
 * camelCase shapes the SDK returns.
 *
 * @module
 */
import * as v from 'valibot';

const nullableString = v.optional(v.nullable(v.string()), null);
/** The fields every user answer has. */
const nameFields = {
  id: v.string(),
  email: v.string(),
  first_name: nullableString,
  last_name: nullableString,
};

/** POST /auth/login and /auth/refresh answer. `refresh_token` is absent on refresh. */
export const TokenResponseSchema = v.pipe(
  v.object({
    access_token: v.string(),
    refresh_token: v.optional(v.string()),
    token_type: v.optional(v.string(), 'bearer'),
    expires_in: v.number(),
  }),
  v.transform(
    (t): TokenResponse => ({
      accessToken: t.access_token,
      ...(t.refresh_token === undefined ? {} : { refreshToken: t.refresh_token }),
      tokenType: t.token_type,
      expiresIn: t.expires_in,
    }),
  ),
);
/** Tokens of a login (access 30 min, refresh 7 days); a refresh gives a new access token only. */
export interface TokenResponse {
  /** The bearer token for user calls. */
  accessToken: string;
  /** The refresh token (login only; absent on refresh). */
  refreshToken?: string;
  /** Always `bearer`. */
  tokenType: string;
  /** Seconds until the access token expires (1800). */
  expiresIn: number;
}

/** GET /auth/me with a user token. Extra fields (`auth_type`) are ignored. */
export const UserResponseSchema = v.pipe(
  v.object({
    ...nameFields,
    organization_id: v.string(),
    status: v.optional(v.string(), 'active'),
    two_fa_enabled: v.optional(v.boolean(), false),
    created_at: nullableString,
    updated_at: nullableString,
  }),
  v.transform(
    (u): UserResponse => ({
      id: u.id,
      email: u.email,
      firstName: u.first_name,
      lastName: u.last_name,
      organizationId: u.organization_id,
      status: u.status,
      twoFaEnabled: u.two_fa_enabled,
      createdAt: u.created_at,
      updatedAt: u.updated_at,
    }),
  ),
);
/** The user a token belongs to. */
export interface UserResponse {
  /** User id (UUID). */
  id: string;
  /** Email address. */
  email: string;
  /** First name. */
  firstName: string | null;
  /** Last name. */
  lastName: string | null;
  /** The user's organisation (UUID). */
  organizationId: string;
  /** `active`, or `pending` before email verification. */
  status: string;
  /** Whether login needs a TOTP code. */
  twoFaEnabled: boolean;
  /** When created (ISO 8601), if the server sent it. */
  createdAt: string | null;
  /** When last updated (ISO 8601), if the server sent it. */
  updatedAt: string | null;
}

/** POST /auth/register answer (201). */
export const RegistrationResponseSchema = v.pipe(
  v.object({
    user_id: v.string(),
    email: v.string(),
    organization_id: v.string(),
    status: v.optional(v.string(), 'pending'),
    message: v.optional(v.string(), ''),
  }),
  v.transform(
    (r): RegistrationResponse => ({
      userId: r.user_id,
      email: r.email,
      organizationId: r.organization_id,
      status: r.status,
      message: r.message,
    }),
  ),
);
/** A new account: `pending` until the email is verified. */
export interface RegistrationResponse {
  /** The new user's id. */
  userId: string;
  /** The email as stored. */
  email: string;
  /** The organisation created for (and owned by) the user. */
  organizationId: string;
  /** `pending`. */
  status: string;
  /** The server's note (check your email for the code). */
  message: string;
}

/** POST /auth/check answer. */
export const PermissionCheckResponseSchema = v.object({
  has_permission: v.boolean(),
  user_id: v.optional(v.nullable(v.string())),
  organization_id: v.optional(v.nullable(v.string())),
  resource: v.optional(v.nullable(v.string())),
  action: v.optional(v.nullable(v.string())),
});

/** POST /api-keys answer (201). The secret arrives as `api_key` (older servers: `key`). */
export const ApiKeyResponseSchema = v.pipe(
  v.object({
    id: v.string(),
    api_key: v.optional(v.string()),
    key: v.optional(v.string()),
    name: v.string(),
    scopes: v.optional(v.array(v.string()), []),
    expires_at: nullableString,
    created_at: nullableString,
  }),
  v.check((k) => typeof (k.api_key ?? k.key) === 'string', 'the answer carries no api_key'),
  v.transform(
    (k): ApiKeyResponse => ({
      id: k.id,
      apiKey: (k.api_key ?? k.key)!,
      name: k.name,
      scopes: k.scopes,
      expiresAt: k.expires_at,
      createdAt: k.created_at,
    }),
  ),
);
/** A created API key; `apiKey` is the secret, shown only once. */
export interface ApiKeyResponse {
  /** Key id. */
  id: string;
  /** The secret (`inkpass_…`), sent as `X-API-Key`. */
  apiKey: string;
  /** The key's name. */
  name: string;
  /** Stored scopes. */
  scopes: string[];
  /** Expiry (ISO 8601) or null. */
  expiresAt: string | null;
  /** Creation time, if sent. */
  createdAt: string | null;
}

/** GET /auth/me with an X-API-Key. */
export const ApiKeyInfoResponseSchema = v.pipe(
  v.object({
    id: v.string(),
    name: v.string(),
    organization_id: v.string(),
    user_id: nullableString,
    scopes: v.optional(v.array(v.string()), []),
    auth_type: v.optional(v.string(), 'api_key'),
  }),
  v.transform(
    (k): ApiKeyInfoResponse => ({
      id: k.id,
      name: k.name,
      organizationId: k.organization_id,
      userId: k.user_id,
      scopes: k.scopes,
      authType: k.auth_type,
    }),
  ),
);
/** What inkPass knows about a valid API key. */
export interface ApiKeyInfoResponse {
  /** Key id. */
  id: string;
  /** The key's name. */
  name: string;
  /** Its organisation. */
  organizationId: string;
  /** The user it was created for, if any. */
  userId: string | null;
  /** Stored scopes. */
  scopes: string[];
  /** `api_key`. */
  authType: string;
}

/** One element of GET /permissions (the server sends no `organization_id`). */
export const PermissionResponseSchema = v.pipe(
  v.object({
    id: v.string(),
    organization_id: nullableString,
    resource: v.string(),
    action: v.string(),
    conditions: v.optional(v.nullable(v.record(v.string(), v.unknown())), {}),
    created_at: nullableString,
  }),
  v.transform(
    (p): PermissionResponse => ({
      id: p.id,
      organizationId: p.organization_id,
      resource: p.resource,
      action: p.action,
      conditions: p.conditions ?? {},
      createdAt: p.created_at,
    }),
  ),
);
/** A permission defined in the caller's organisation. */
export interface PermissionResponse {
  /** Permission id. */
  id: string;
  /** Its organisation (the server omits it; then null). */
  organizationId: string | null;
  /** Resource, e.g. `workflows`. */
  resource: string;
  /** Action, e.g. `create`. */
  action: string;
  /** ABAC conditions: each must equal the check's context entry. */
  conditions: Record<string, unknown>;
  /** Creation time, if sent. */
  createdAt: string | null;
}

/** One element of GET /roles/users/me/permissions: a pair the caller's role (with what it inherits) grants. */
export const EffectivePermissionSchema = v.object({ resource: v.string(), action: v.string() });
/** A (resource, action) pair the caller's role grants. */
export interface EffectivePermission {
  /** Resource, e.g. `workflows`. */
  resource: string;
  /** Action, e.g. `view`. */
  action: string;
}

/** POST /auth/2fa/setup answer. The secret is not stored until {@link TwoFactorEnableResponse} confirms it. */
export const TwoFactorSetupResponseSchema = v.pipe(
  v.object({ secret: v.string(), uri: v.string(), qr_code: v.optional(v.nullable(v.string())) }),
  v.transform(
    (t): TwoFactorSetup => ({
      secret: t.secret,
      uri: t.uri,
      ...(typeof t.qr_code === 'string' ? { qrCode: t.qr_code } : {}),
    }),
  ),
);
/** A new TOTP secret to show the user (as a QR code of `uri`, or the base32 `secret` typed in). */
export interface TwoFactorSetup {
  /** The base32 TOTP secret (6 digits, 30 s, SHA-1); pass it back to `enableTwoFactor`. */
  secret: string;
  /** The `otpauth://totp/inkPass:<email>?secret=…&issuer=inkPass` provisioning URI authenticator apps read. */
  uri: string;
  /** The URI as a `data:image/png;base64,…` QR code, when the server sends one. */
  qrCode?: string;
}

/** POST /auth/2fa/enable answer. */
export const TwoFactorEnableResponseSchema = v.pipe(
  v.object({ message: v.string(), backup_codes: v.optional(v.array(v.string()), []) }),
  v.transform((t): TwoFactorEnableResponse => ({ message: t.message, backupCodes: t.backup_codes })),
);
/** What enabling 2FA answers. */
export interface TwoFactorEnableResponse {
  /** `2FA enabled successfully`. */
  message: string;
  /** Ten `XXXX-XXXX` codes. inkPass does not store them, so they cannot be used to log in. */
  backupCodes: string[];
}

/** `PATCH /auth/profile` answer: the user's names after the update. */
export const ProfileResponseSchema = v.pipe(
  v.object({ ...nameFields, organization_id: v.string() }),
  v.transform((o) => camel<ProfileResponse>(o)),
);
/** The current user's profile as `updateProfile` answers it. */
export interface ProfileResponse {
  /** User id. */
  id: string;
  /** Email address. */
  email: string;
  /** First name. */
  firstName: string | null;
  /** Last name. */
  lastName: string | null;
  /** The user's organisation. */
  organizationId: string;
}

/** `{message}` answers (logout, verify-email, resend-verification, 2FA disable and verify). */
export const MessageResponseSchema = v.object({ message: v.string() });

/** Den file metadata (FileResponse). */
export const FileResponseSchema = v.pipe(
  v.object({
    id: v.string(),
    organization_id: v.string(),
    name: v.string(),
    storage_key: v.string(),
    content_type: v.string(),
    size_bytes: v.number(),
    checksum_sha256: nullableString,
    folder_path: v.string(),
    tags: v.optional(v.array(v.string()), []),
    custom_metadata: v.optional(v.record(v.string(), v.unknown()), {}),
    created_by_user_id: nullableString,
    created_by_agent: nullableString,
    workflow_id: nullableString,
    status: v.string(),
    is_temporary: v.boolean(),
    is_public: v.boolean(),
    cdn_url: nullableString,
    created_at: v.string(),
    updated_at: nullableString,
    expires_at: nullableString,
  }),
  v.transform(
    (f): FileResponse => ({
      id: f.id,
      organizationId: f.organization_id,
      name: f.name,
      storageKey: f.storage_key,
      contentType: f.content_type,
      sizeBytes: f.size_bytes,
      checksumSha256: f.checksum_sha256,
      folderPath: f.folder_path,
      tags: f.tags,
      customMetadata: f.custom_metadata,
      createdByUserId: f.created_by_user_id,
      createdByAgent: f.created_by_agent,
      workflowId: f.workflow_id,
      status: f.status as 'active' | 'deleted' | 'expired',
      isTemporary: f.is_temporary,
      isPublic: f.is_public,
      cdnUrl: f.cdn_url,
      createdAt: f.created_at,
      updatedAt: f.updated_at,
      expiresAt: f.expires_at,
    }),
  ),
);
/** A Den file's metadata. */
export interface FileResponse {
  /** File id (UUID). */
  id: string;
  /** Organisation. */
  organizationId: string;
  /** Original filename. */
  name: string;
  /** `<org>/<folder>/<8 hex>_<name>`. */
  storageKey: string;
  /** Content type. */
  contentType: string;
  /** Size in bytes. */
  sizeBytes: number;
  /** SHA-256 of the content, hex. */
  checksumSha256: string | null;
  /** Folder, e.g. `/agent-outputs`. */
  folderPath: string;
  /** Tags. */
  tags: string[];
  /** Custom metadata (always empty via the agent routes). */
  customMetadata: Record<string, unknown>;
  /** Uploading user, for user uploads. */
  createdByUserId: string | null;
  /** Uploading agent, e.g. `workflow:wf-1:agent:image-gen`. */
  createdByAgent: string | null;
  /** Workflow id. */
  workflowId: string | null;
  /** `active`, `deleted` or `expired`. */
  status: 'active' | 'deleted' | 'expired';
  /** A temporary file (expires at `expiresAt`). */
  isTemporary: boolean;
  /** A public (CDN) file. */
  isPublic: boolean;
  /** The CDN URL (upload answer of public files on a CDN backend only). */
  cdnUrl: string | null;
  /** Creation time (ISO 8601, UTC). */
  createdAt: string;
  /** Last update. */
  updatedAt: string | null;
  /** Expiry of a temporary file. */
  expiresAt: string | null;
}

/** GET /files/agent/list answer: `{files, total, limit, offset}` (a bare array is accepted too). */
export const FileListResponseSchema = v.union([
  v.pipe(
    v.object({
      files: v.array(FileResponseSchema),
      total: v.optional(v.number()),
      limit: v.optional(v.number()),
      offset: v.optional(v.number()),
    }),
    v.transform(
      (l): FileListResponse => ({
        files: l.files,
        total: l.total ?? l.files.length,
        limit: l.limit ?? l.files.length,
        offset: l.offset ?? 0,
      }),
    ),
  ),
  v.pipe(
    v.array(FileResponseSchema),
    v.transform(
      (files): FileListResponse => ({ files, total: files.length, limit: files.length, offset: 0 }),
    ),
  ),
]);
/** A page of Den files. */
export interface FileListResponse {
  /** The files of this page, newest first. */
  files: FileResponse[];
  /** All matching files. */
  total: number;
  /** The page size. */
  limit: number;
  /** Files skipped. */
  offset: number;
}

/** GET /files/agent/{id}/url answer. */
export const DownloadUrlResponseSchema = v.object({ url: v.string(), expires_in: v.number() });

/** `GET /api/v1/api-keys`: one key as listed (never its secret). */
export const ApiKeySummarySchema = v.pipe(
  v.object({
    id: v.string(),
    name: v.string(),
    scopes: v.optional(v.nullable(v.array(v.string())), null),
    expires_at: nullableString,
    last_used_at: nullableString,
  }),
  v.transform(
    (k): ApiKeySummary => ({
      id: k.id,
      name: k.name,
      scopes: k.scopes ?? [],
      expiresAt: k.expires_at,
      lastUsedAt: k.last_used_at,
    }),
  ),
);
/** An API key as listed: its id, name and scopes, never its secret. */
export interface ApiKeySummary {
  /** Key id (what `revokeApiKey` takes). */
  id: string;
  /** Its name. */
  name: string;
  /** Its scopes. */
  scopes: string[];
  /** When it expires (ISO 8601, no zone, UTC), or null for never. */
  expiresAt: string | null;
  /** When it was last used (ISO 8601, no zone, UTC), or null. */
  lastUsedAt: string | null;
}

/** `POST /api/v1/billing/configure`. */
export const BillingConfigResponseSchema = v.pipe(
  v.object({
    configured: v.boolean(),
    organization_id: v.string(),
    has_webhook_secret: v.boolean(),
    price_ids: v.array(v.string()),
  }),
  v.transform(
    (b): BillingConfigResponse => ({
      configured: b.configured,
      organizationId: b.organization_id,
      hasWebhookSecret: b.has_webhook_secret,
      priceKeys: b.price_ids,
    }),
  ),
);
/** The billing configuration inkPass stored. */
export interface BillingConfigResponse {
  /** Always true after a configure. */
  configured: boolean;
  /** The organisation configured. */
  organizationId: string;
  /** Whether a webhook secret was given. */
  hasWebhookSecret: boolean;
  /** The price keys configured (the wire's `price_ids` carries the keys, e.g. `pro`). */
  priceKeys: string[];
}

/** `POST /api/v1/billing/checkout`. */
export const CheckoutResponseSchema = v.pipe(
  v.object({ session_id: v.string(), url: v.string() }),
  v.transform((c): CheckoutResponse => ({ sessionId: c.session_id, url: c.url })),
);
/** A Stripe checkout session. */
export interface CheckoutResponse {
  /** Stripe's session id. */
  sessionId: string;
  /** Where to send the user to pay. */
  url: string;
}

/** `GET /api/v1/billing/subscription`. */
export const SubscriptionResponseSchema = v.pipe(
  v.object({
    status: v.string(),
    tier: v.string(),
    subscription_id: nullableString,
    stripe_customer_id: nullableString,
    ends_at: nullableString,
  }),
  v.transform(
    (s): SubscriptionResponse => ({
      status: s.status,
      tier: s.tier,
      subscriptionId: s.subscription_id,
      stripeCustomerId: s.stripe_customer_id,
      endsAt:
        s.ends_at === null
          ? null
          : new Date(/[zZ]|[+-]\d\d:\d\d$/.test(s.ends_at) ? s.ends_at : `${s.ends_at}Z`),
    }),
  ),
);
/** The organisation's subscription. */
export interface SubscriptionResponse {
  /** `none`, `active`, `past_due` or `canceled`. */
  status: string;
  /** `free`, `pro`, `enterprise`, … */
  tier: string;
  /** Stripe's subscription id, if any. */
  subscriptionId: string | null;
  /** Stripe's customer id, if any. */
  stripeCustomerId: string | null;
  /** When it ends (the server's zone-less time read as UTC), if set. */
  endsAt: Date | null;
}

/** Renames an object's snake_case keys to camelCase (one level). */
function camel<T>(o: object): T {
  return Object.fromEntries(
    Object.entries(o).map(([k, x]) => [k.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase()), x]),
  ) as T;
}

const userFields = { ...nameFields, status: v.string() };

/** `GET /api/v1/users` element and the answer of creating or updating a user. */
export const OrgUserSchema = v.pipe(
  v.object(userFields),
  v.transform((o) => camel<OrgUser>(o)),
);
/** A user of the caller's organisation. */
export interface OrgUser {
  /** User id. */
  id: string;
  /** Email address. */
  email: string;
  /** First name (null for users created by an admin or an invitation). */
  firstName: string | null;
  /** Last name. */
  lastName: string | null;
  /** `active`, `pending`, `deleted`, … */
  status: string;
}

/** `GET /api/v1/users/{id}`. */
export const OrgUserDetailSchema = v.pipe(
  v.object({ ...userFields, two_fa_enabled: v.optional(v.boolean(), false) }),
  v.transform((o) => camel<OrgUserDetail>(o)),
);
/** A user with their 2FA state. */
export interface OrgUserDetail extends OrgUser {
  /** Whether login needs a TOTP code. */
  twoFaEnabled: boolean;
}

/** `GET /api/v1/users/{id}/permissions`: the permissions granted to the user directly. */
export const UserPermissionsSchema = v.pipe(
  v.object({ user_id: v.string(), email: v.string(), permissions: v.array(PermissionResponseSchema) }),
  v.transform((o) => camel<UserPermissions>(o)),
);
/** A user's directly granted permissions (not those of their role or groups). */
export interface UserPermissions {
  /** User id. */
  userId: string;
  /** Email address. */
  email: string;
  /** The direct grants, with their ABAC conditions. */
  permissions: PermissionResponse[];
}

/** A group (`/api/v1/groups`). */
export const GroupSchema = v.object({ id: v.string(), name: v.string(), description: nullableString });
/** A group of the caller's organisation. */
export interface Group {
  /** Group id. */
  id: string;
  /** Unique in the organisation. */
  name: string;
  /** Description, if any. */
  description: string | null;
}

/** An organisation (`/api/v1/organizations`); `settings` and `plan_id` only where the route sends them. */
export const OrganizationSchema = v.pipe(
  v.object({
    id: v.string(),
    name: v.string(),
    slug: v.string(),
    settings: v.optional(v.nullable(v.record(v.string(), v.unknown()))),
    plan_id: v.optional(v.nullable(v.string())),
  }),
  v.transform((o) => camel<Organization>(o)),
);
/** An organisation. */
export interface Organization {
  /** Organisation id. */
  id: string;
  /** Name. */
  name: string;
  /** URL slug (unique). */
  slug: string;
  /** Its settings (get and update only). */
  settings?: Record<string, unknown> | null;
  /** Its plan (get only). */
  planId?: string | null;
}

/** `GET /api/v1/organizations/{id}/members` element. */
export const MemberSchema = v.object({
  id: v.string(),
  email: v.string(),
  status: v.string(),
  role: v.string(),
});
/** A member of an organisation with their role string. */
export interface Member {
  /** User id. */
  id: string;
  /** Email address. */
  email: string;
  /** Account status. */
  status: string;
  /** The membership's role string (`owner`, `member`, `developer`, …). */
  role: string;
}

/** An invitation (`/api/v1/invitations`). */
export const InvitationSchema = v.pipe(
  v.object({
    id: v.string(),
    email: v.string(),
    role: v.string(),
    status: v.string(),
    invited_by_email: nullableString,
    expires_at: v.string(),
    created_at: v.string(),
  }),
  v.transform((o) => camel<Invitation>(o)),
);
/** An invitation to join the caller's organisation. */
export interface Invitation {
  /** Invitation id. */
  id: string;
  /** The invitee (lower-cased). */
  email: string;
  /** The role string the invitee gets. */
  role: string;
  /** `pending`, `accepted`, `revoked` or `expired`. */
  status: string;
  /** Who invited, if known. */
  invitedByEmail: string | null;
  /** When the link stops working (7 days; ISO 8601, no zone, UTC). */
  expiresAt: string;
  /** When it was created. */
  createdAt: string;
}

/** `GET /api/v1/invitations/validate/{token}`. */
export const InvitationCheckSchema = v.pipe(
  v.object({
    valid: v.boolean(),
    email: nullableString,
    role: nullableString,
    organization_name: nullableString,
    error: nullableString,
  }),
  v.transform((o) => camel<InvitationCheck>(o)),
);
/** Whether an invitation link can be used, and what it offers. */
export interface InvitationCheck {
  /** True when it can be accepted. */
  valid: boolean;
  /** The invitee, when valid. */
  email: string | null;
  /** The role offered, when valid. */
  role: string | null;
  /** The inviting organisation, when valid. */
  organizationName: string | null;
  /** Why not, when invalid. */
  error: string | null;
}

/** `POST /api/v1/invitations/accept`. */
export const AcceptedInvitationSchema = v.pipe(
  v.object({
    access_token: v.string(),
    refresh_token: v.string(),
    token_type: v.string(),
    expires_in: v.number(),
    user_id: v.string(),
    email: v.string(),
    organization_id: v.string(),
    role: v.string(),
    is_new_user: v.boolean(),
  }),
  v.transform((o) => camel<AcceptedInvitation>(o)),
);
/** An accepted invitation: the account and tokens inkPass issued. */
export interface AcceptedInvitation {
  /** An access token (see the README: upstream's carry no session and are refused; log in instead). */
  accessToken: string;
  /** A refresh token (same caveat). */
  refreshToken: string;
  /** `bearer`. */
  tokenType: string;
  /** Seconds the access token is valid. */
  expiresIn: number;
  /** The account. */
  userId: string;
  /** Its email. */
  email: string;
  /** The organisation joined. */
  organizationId: string;
  /** The role string given. */
  role: string;
  /** False when an existing account joined. */
  isNewUser: boolean;
}

/** A role of a permission template (`/roles`, `/templates/{id}/roles`). */
export const RoleSchema = v.pipe(
  v.object({
    id: v.string(),
    role_name: v.string(),
    display_name: v.string(),
    description: nullableString,
    inherits_from: nullableString,
    priority: v.number(),
  }),
  v.transform((o) => camel<Role>(o)),
);
/** A role users can be assigned. */
export interface Role {
  /** The role's id. */
  id: string;
  /** `owner`, `admin`, `developer` or `viewer`. */
  roleName: string;
  /** `Owner`, `Administrator`, … */
  displayName: string;
  /** What it may do. */
  description: string | null;
  /** The role whose permissions it also has. */
  inheritsFrom: string | null;
  /** Higher means more permissions (owner 100, admin 80, developer 50, viewer 10). */
  priority: number;
}

/** `/roles/users/me` and `/roles/users/{id}`. */
export const UserRoleSchema = v.pipe(
  v.object({ user_id: v.string(), organization_id: v.string(), role: v.nullable(RoleSchema) }),
  v.transform((o) => camel<UserRole>(o)),
);
/** A user's role in the caller's organisation. */
export interface UserRole {
  /** The user. */
  userId: string;
  /** The organisation. */
  organizationId: string;
  /** The role, or null when the membership has no role template. */
  role: Role | null;
}

const templateFields = {
  id: v.string(),
  name: v.string(),
  product_type: v.string(),
  version: v.number(),
  description: nullableString,
  is_active: v.boolean(),
  role_count: v.number(),
};
/** `GET /templates` element. */
export const TemplateSchema = v.pipe(
  v.object(templateFields),
  v.transform((o) => camel<Template>(o)),
);
/** A permission template (one per product). */
export interface Template {
  /** Template id. */
  id: string;
  /** `INKPASS_SOLO`, `TENTACLE_SOLO`, `MIMIC_SOLO`, `AIOS_BUNDLE`. */
  name: string;
  /** The product, e.g. `tentacle_solo`. */
  productType: string;
  /** Its version (raised when its permissions change). */
  version: number;
  /** What it is for. */
  description: string | null;
  /** Whether it is offered. */
  isActive: boolean;
  /** How many roles it has. */
  roleCount: number;
}

/** `GET /templates/{id}`. */
export const TemplateDetailSchema = v.pipe(
  v.object({ ...templateFields, roles: v.array(RoleSchema) }),
  v.transform((o) => camel<TemplateDetail>(o)),
);
/** A template with its roles, highest priority first. */
export interface TemplateDetail extends Template {
  /** Its roles. */
  roles: Role[];
}

/** `GET /templates/organization/current` (null when none is applied). */
export const OrganizationTemplateSchema = v.nullable(
  v.pipe(
    v.object({
      id: v.string(),
      organization_id: v.string(),
      template_id: v.string(),
      template_name: v.string(),
      applied_version: v.number(),
      current_version: v.number(),
      needs_update: v.boolean(),
      applied_at: v.string(),
    }),
    v.transform((o) => camel<OrganizationTemplate>(o)),
  ),
);
/** The template applied to the caller's organisation. */
export interface OrganizationTemplate {
  /** The record's id. */
  id: string;
  /** The organisation. */
  organizationId: string;
  /** The template. */
  templateId: string;
  /** Its name. */
  templateName: string;
  /** The version the organisation has. */
  appliedVersion: number;
  /** The template's latest version. */
  currentVersion: number;
  /** Whether a sync would bring new permissions. */
  needsUpdate: boolean;
  /** When it was applied (ISO 8601, no zone, UTC). */
  appliedAt: string;
}
