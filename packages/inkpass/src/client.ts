/**
 * `InkPassClient`: registration, login, tokens, fail-safe permission checks and API keys.
 *
 * @module
 */
import {
  type AuthStrategy,
  apiKey,
  bearer,
  type HttpClient,
  type Logger,
  noAuth,
  XError,
} from '@x/http-core';
import * as v from 'valibot';
import { buildHttpClient, type InkPassConfig, type ResolvedConfig, resolveConfig } from './config.ts';
import { AuthenticationError, invalidInput, ValidationError } from './errors.ts';
import {
  type AcceptedInvitation,
  AcceptedInvitationSchema,
  type ApiKeyInfoResponse,
  ApiKeyInfoResponseSchema,
  type ApiKeyResponse,
  ApiKeyResponseSchema,
  type ApiKeySummary,
  ApiKeySummarySchema,
  type BillingConfigResponse,
  BillingConfigResponseSchema,
  type CheckoutResponse,
  CheckoutResponseSchema,
  type EffectivePermission,
  EffectivePermissionSchema,
  type Group,
  GroupSchema,
  type Invitation,
  type InvitationCheck,
  InvitationCheckSchema,
  InvitationSchema,
  type Member,
  MemberSchema,
  MessageResponseSchema,
  type Organization,
  OrganizationSchema,
  type OrganizationTemplate,
  OrganizationTemplateSchema,
  type OrgUser,
  type OrgUserDetail,
  OrgUserDetailSchema,
  OrgUserSchema,
  PermissionCheckResponseSchema,
  type PermissionResponse,
  PermissionResponseSchema,
  type ProfileResponse,
  ProfileResponseSchema,
  type RegistrationResponse,
  RegistrationResponseSchema,
  type Role,
  RoleSchema,
  type SubscriptionResponse,
  SubscriptionResponseSchema,
  type Template,
  type TemplateDetail,
  TemplateDetailSchema,
  TemplateSchema,
  type TokenResponse,
  TokenResponseSchema,
  type TwoFactorEnableResponse,
  TwoFactorEnableResponseSchema,
  type TwoFactorSetup,
  TwoFactorSetupResponseSchema,
  type UserPermissions,
  UserPermissionsSchema,
  type UserResponse,
  UserResponseSchema,
  type UserRole,
  UserRoleSchema,
} from './models.ts';
import {
  checkCredential,
  checkEmail,
  checkId,
  checkNonEmpty,
  checkOrganizationName,
  checkPassword,
  checkPersonName,
  checkSixDigitCode,
} from './validation.ts';

/** The options bag every method takes last. */
export interface CallOptions {
  /** Aborts the call (`checkPermission` then resolves `false`; other methods reject with `AbortError`). */
  signal?: AbortSignal;
  /** Per-attempt timeout in ms for this call. */
  timeout?: number;
}

/** Input of {@link InkPassClient.register}. The server requires first and last names. */
export interface RegisterInput {
  /** A valid email address. */
  email: string;
  /** At least 8 characters. */
  password: string;
  /** 2–50 letters, digits, spaces, `'`, `-`, `_`. */
  firstName: string;
  /** 2–50 letters, digits, spaces, `'`, `-`, `_`. */
  lastName: string;
  /** Optional; default "<firstName>'s Organization". */
  organizationName?: string;
}

/** Input of {@link InkPassClient.login}. */
export interface LoginInput {
  /** The account's email. */
  email: string;
  /** The password. */
  password: string;
  /** The current TOTP code, required once 2FA is enabled. */
  twoFaCode?: string;
}

/** Input of {@link InkPassClient.resetPassword}. */
export interface ResetPasswordInput {
  /** The account's email. */
  email: string;
  /** The 6-digit code `forgotPassword` mailed (valid 10 minutes, once). */
  code: string;
  /** At least 8 characters. */
  newPassword: string;
}

/** Input of {@link InkPassClient.updateProfile}: the names to change (each 2–50 allowed characters). */
export interface UpdateProfileInput {
  /** A new first name. */
  firstName?: string;
  /** A new last name. */
  lastName?: string;
}

/** Input of {@link InkPassClient.createApiKey}. */
export interface CreateApiKeyInput {
  /** A name for the key. */
  name: string;
  /** Scopes stored with the key (inkPass records them but does not enforce them). */
  scopes?: string[];
  /** Days until the key expires (default: never). */
  expiresInDays?: number;
}

/** Input of {@link InkPassClient.configureBilling}. */
export interface ConfigureBillingInput {
  /** The Stripe secret key (`sk_test_…` or `sk_live_…`). */
  stripeApiKey: string;
  /** Stripe's webhook signing secret. */
  stripeWebhookSecret?: string;
  /** Price keys and their Stripe price ids, e.g. `{ pro: 'price_123' }`. */
  prices?: Record<string, string>;
}

/** Input of {@link InkPassClient.createCheckout}. */
export interface CheckoutInput {
  /** A configured price key, e.g. `pro`. */
  priceKey: string;
  /** Where Stripe sends the user after paying. */
  successUrl: string;
  /** Where Stripe sends the user after cancelling. */
  cancelUrl: string;
  /** Metadata for the session (inkPass adds `organization_id` and `price_key`). */
  metadata?: Record<string, string>;
}

/** Input of {@link InkPassClient.enableTwoFactor}. */
export interface EnableTwoFactorInput {
  /** The secret {@link InkPassClient.setupTwoFactor} returned. */
  secret: string;
  /** The 6-digit code the authenticator app currently shows for that secret. */
  verificationCode: string;
}

/** What {@link InkPassClient.syncOrganizationTemplate} answers. */
export interface TemplateSync {
  /** "Organization synced to latest template version" or "Organization is already at latest version". */
  message: string;
  /** The version the organisation now has. */
  version: number;
}

/** ABAC attributes sent with a permission check; every condition of a permission must equal its entry. */
export type PermissionContext = Record<string, unknown>;

/** A (resource, action) pair. */
export type PermissionPair = readonly [resource: string, action: string];

/**
 * The inkPass client. Construction does no I/O; one client serves any number of concurrent calls.
 *
 * @example
 * ```ts
 * const client = new InkPassClient({ baseUrl: 'http://inkpass:8000' });
 * const tokens = await client.login({ email: 'ada@example.com', password: 'SecurePassword123!' });
 * if (await client.checkPermission(tokens.accessToken, 'workflows', 'create')) createWorkflow();
 * ```
 */
export class InkPassClient {
  /** The validated configuration. */
  readonly config: Readonly<ResolvedConfig>;
  readonly #http: HttpClient;
  readonly #log: Logger;

  /** Validates `config` (throws `ValidationError` naming a bad option) and prepares the client. */
  constructor(config: InkPassConfig = {}) {
    this.config = resolveConfig(config, { timeout: 5000 });
    this.#log = this.config.logger;
    this.#http = buildHttpClient(this.config, { jsonContentType: true });
    if (this.config.apiKey) this.#http.setAuth(apiKey(this.config.apiKey));
  }

  /**
   * Registers a user and their organisation. The account is `pending` until the email is verified
   * ({@link InkPassClient.verifyEmail}). Input is checked first (`ValidationError` before any request).
   */
  async register(input: RegisterInput, options: CallOptions = {}): Promise<RegistrationResponse> {
    const body: Record<string, string> = {
      email: checkEmail(input.email),
      password: checkPassword(input.password),
      first_name: checkPersonName(input.firstName, 'firstName'),
      last_name: checkPersonName(input.lastName, 'lastName'),
    };
    const organizationName = checkOrganizationName(input.organizationName);
    if (organizationName) body['organization_name'] = organizationName;
    return this.#http.post('/api/v1/auth/register', {
      ...options,
      json: body,
      schema: RegistrationResponseSchema,
    });
  }

  /** Confirms an email with the 6-digit code inkPass mailed; the account becomes active. */
  async verifyEmail(email: string, code: string, options: CallOptions = {}): Promise<string> {
    const json = { email: checkEmail(email), code: checkSixDigitCode(code, 'code') };
    return this.#message('/api/v1/auth/verify-email', json, undefined, options);
  }

  /** Asks inkPass to mail a new verification code (always succeeds, to prevent enumeration). */
  async resendVerification(email: string, options: CallOptions = {}): Promise<string> {
    return this.#message(
      '/api/v1/auth/resend-verification',
      { email: checkEmail(email) },
      undefined,
      options,
    );
  }

  /**
   * Asks inkPass to mail a 6-digit password-reset code (valid 10 minutes). The same message comes back
   * whether or not the account exists.
   */
  async forgotPassword(email: string, options: CallOptions = {}): Promise<string> {
    return this.#message('/api/v1/auth/forgot-password', { email: checkEmail(email) }, undefined, options);
  }

  /**
   * Sets a new password with the code {@link InkPassClient.forgotPassword} mailed, and ends every session of
   * the account. A wrong, used or expired code → `ValidationError` ("Invalid or expired reset code"). The
   * password is checked first (inkPass would use the code up before refusing a short one).
   */
  async resetPassword(input: ResetPasswordInput, options: CallOptions = {}): Promise<string> {
    const body = {
      email: checkEmail(input?.email),
      code: checkSixDigitCode(input.code, 'code'),
      new_password: checkPassword(input.newPassword, 'newPassword'),
    };
    return this.#message('/api/v1/auth/reset-password', body, undefined, options);
  }

  /**
   * Changes the token's user's first and/or last name (trimmed; 2–50 letters, digits, spaces, `'`, `-`,
   * `_`). Reading the profile is {@link InkPassClient.validateToken}.
   */
  async updateProfile(
    token: string,
    input: UpdateProfileInput,
    options: CallOptions = {},
  ): Promise<ProfileResponse> {
    const auth = bearer(checkCredential(token, 'token'));
    const body: Record<string, string> = {};
    if (input?.firstName !== undefined) body['first_name'] = checkPersonName(input.firstName, 'firstName');
    if (input?.lastName !== undefined) body['last_name'] = checkPersonName(input.lastName, 'lastName');
    return this.#http.patch('/api/v1/auth/profile', {
      ...options,
      auth,
      json: body,
      schema: ProfileResponseSchema,
    });
  }

  /**
   * Starts an email change: inkPass mails a 6-digit code (valid 30 minutes) to `newEmail`. An address
   * already in use → `ValidationError` ("Email already in use").
   */
  async initiateEmailChange(token: string, newEmail: string, options: CallOptions = {}): Promise<string> {
    const auth = bearer(checkCredential(token, 'token'));
    const body = { new_email: checkEmail(newEmail, 'newEmail') };
    return this.#message('/api/v1/auth/email-change/initiate', body, auth, options);
  }

  /**
   * Confirms the email change with the mailed code. inkPass stores the new address lower-cased and ends
   * every session of the user: log in again with the new email.
   */
  async confirmEmailChange(token: string, code: string, options: CallOptions = {}): Promise<string> {
    const auth = bearer(checkCredential(token, 'token'));
    const body = { code: checkSixDigitCode(code, 'code') };
    return this.#message('/api/v1/auth/email-change/confirm', body, auth, options);
  }

  /**
   * Logs in and returns an access token (30 min) and a refresh token (7 days). Wrong credentials, an
   * unverified email, a missing or wrong 2FA code → `AuthenticationError` with the server's reason.
   */
  async login(input: LoginInput, options: CallOptions = {}): Promise<TokenResponse> {
    const body: Record<string, string> = {
      email: checkEmail(input.email),
      password: checkNonEmpty(input.password, 'password'),
    };
    if (input.twoFaCode !== undefined) body['two_fa_code'] = checkNonEmpty(input.twoFaCode, 'twoFaCode');
    // A second login only issues a second token pair: safe to repeat.
    return this.#http.post('/api/v1/auth/login', {
      ...options,
      json: body,
      idempotent: true,
      schema: TokenResponseSchema,
    });
  }

  /** Exchanges a refresh token for a new access token (same session; no new refresh token). */
  async refresh(refreshToken: string, options: CallOptions = {}): Promise<TokenResponse> {
    checkCredential(refreshToken, 'refreshToken');
    return this.#http.post('/api/v1/auth/refresh', {
      ...options,
      query: { refresh_token: refreshToken },
      auth: noAuth(),
      schema: TokenResponseSchema,
    });
  }

  /** Ends the token's session: its access and refresh tokens stop working. */
  async logout(token: string, options: CallOptions = {}): Promise<void> {
    await this.#http.post('/api/v1/auth/logout', {
      ...options,
      auth: bearer(checkCredential(token, 'token')),
      schema: MessageResponseSchema,
    });
  }

  /**
   * Starts 2FA setup: a fresh TOTP secret and its `otpauth://` URI for an authenticator app (draw it with
   * `twoFactorQrCode`, or use the server's PNG `qrCode`). Nothing is stored until
   * {@link InkPassClient.enableTwoFactor} confirms a code for it.
   */
  async setupTwoFactor(token: string, options: CallOptions = {}): Promise<TwoFactorSetup> {
    return this.#http.post('/api/v1/auth/2fa/setup', {
      ...options,
      auth: bearer(checkCredential(token, 'token')),
      schema: TwoFactorSetupResponseSchema,
    });
  }

  /**
   * Turns 2FA on with the secret from {@link InkPassClient.setupTwoFactor} and a current code for it; from
   * then on {@link InkPassClient.login} needs `twoFaCode`. A wrong code → `ValidationError` ("Invalid
   * verification code"). Beware: the upstream inkPass this SDK follows then refuses every login of the account
   * (its login checks the code against the encrypted secret; see the README), so the account is locked out of
   * password login there.
   */
  async enableTwoFactor(
    token: string,
    input: EnableTwoFactorInput,
    options: CallOptions = {},
  ): Promise<TwoFactorEnableResponse> {
    const auth = bearer(checkCredential(token, 'token'));
    const secret = checkNonEmpty(input.secret, 'secret');
    const code = checkSixDigitCode(input.verificationCode, 'verificationCode');
    return this.#http.post('/api/v1/auth/2fa/enable', {
      ...options,
      json: { secret, verification_code: code },
      auth,
      schema: TwoFactorEnableResponseSchema,
    });
  }

  /**
   * Ten fresh `XXXX-XXXX` backup codes (2FA on or off). inkPass stores none of them, so none can be used
   * to log in (a backup code as `twoFaCode` is refused like a wrong TOTP code): treat them as informational.
   */
  async generateBackupCodes(token: string, options: CallOptions = {}): Promise<string[]> {
    const answer = await this.#http.post('/api/v1/auth/2fa/backup-codes', {
      ...options,
      auth: bearer(checkCredential(token, 'token')),
      schema: v.object({ backup_codes: v.array(v.string()) }),
    });
    return answer.backup_codes;
  }

  /** Turns 2FA off for the token's user; login no longer asks for a code. */
  async disableTwoFactor(token: string, options: CallOptions = {}): Promise<void> {
    await this.#http.post('/api/v1/auth/2fa/disable', {
      ...options,
      auth: bearer(checkCredential(token, 'token')),
      schema: MessageResponseSchema,
    });
  }

  /**
   * Whether `code` is a current TOTP code of the token's user (e.g. to confirm a sensitive action): `true`
   * when inkPass accepts it, `false` when it answers "Invalid 2FA code" (also when 2FA is off).
   */
  async verifyTwoFactor(token: string, code: string, options: CallOptions = {}): Promise<boolean> {
    const auth = bearer(checkCredential(token, 'token'));
    try {
      await this.#http.post('/api/v1/auth/2fa/verify', {
        ...options,
        json: { code: checkSixDigitCode(code, 'code') },
        auth,
        schema: MessageResponseSchema,
      });
      return true;
    } catch (error) {
      if (ValidationError.isInstance(error) && error.status === 400) return false;
      throw error;
    }
  }

  /**
   * The user a token belongs to, or `null` when inkPass answers 401 (invalid, expired or logged-out
   * token). Other failures throw (`ServiceUnavailableError` when inkPass is unreachable).
   */
  async validateToken(token: string, options: CallOptions = {}): Promise<UserResponse | null> {
    return this.#nullOn401(() =>
      this.#http.get('/api/v1/auth/me', {
        ...options,
        auth: bearer(checkCredential(token, 'token')),
        schema: UserResponseSchema,
      }),
    );
  }

  /** What inkPass knows about an API key, or `null` when it is not valid (401). */
  async validateApiKey(key: string, options: CallOptions = {}): Promise<ApiKeyInfoResponse | null> {
    return this.#nullOn401(() =>
      this.#http.get('/api/v1/auth/me', {
        ...options,
        auth: apiKey(checkCredential(key, 'key')),
        schema: ApiKeyInfoResponseSchema,
      }),
    );
  }

  /**
   * Whether the token's user may do `action` on `resource`. **Fail-safe**: any failure — invalid token
   * (401), other error statuses, inkPass unreachable or timing out, an abort, a malformed answer, bad
   * input — resolves `false` and logs the reason at `warn`. `context` is sent as the JSON body for ABAC
   * conditions (a permission with conditions matches only when every condition equals its entry).
   */
  async checkPermission(
    token: string,
    resource: string,
    action: string,
    context?: PermissionContext,
    options: CallOptions = {},
  ): Promise<boolean> {
    try {
      const answer = await this.#http.post('/api/v1/auth/check', {
        // A read: safe to repeat.
        idempotent: true,
        ...options,
        query: { resource: checkNonEmpty(resource, 'resource'), action: checkNonEmpty(action, 'action') },
        json: context ?? {},
        auth: bearer(checkCredential(token, 'token')),
        schema: PermissionCheckResponseSchema,
      });
      return answer.has_permission === true;
    } catch (error) {
      const status = XError.isInstance(error) ? error.status : undefined;
      this.#log.warn(
        `inkPass checkPermission(${resource}:${action}) denied because the check failed: ${
          status === 401 ? 'the token is invalid or expired' : (error as Error)?.message
        }`,
        {
          resource,
          action,
          code: XError.isInstance(error) ? error.code : 'unexpected',
          ...(status === undefined ? {} : { status }),
        },
      );
      return false;
    }
  }

  /** Checks several pairs one after another; keys are `"resource:action"`. Fail-safe like `checkPermission`. */
  async checkPermissions(
    token: string,
    pairs: readonly PermissionPair[],
    options: CallOptions = {},
  ): Promise<Record<string, boolean>> {
    const result: Record<string, boolean> = {};
    for (const [resource, action] of pairs) {
      result[`${resource}:${action}`] = await this.checkPermission(
        token,
        resource,
        action,
        undefined,
        options,
      );
    }
    return result;
  }

  /** True when any pair is allowed (stops at the first allowed one). */
  async hasAnyPermission(token: string, pairs: readonly PermissionPair[], options: CallOptions = {}) {
    for (const [resource, action] of pairs) {
      if (await this.checkPermission(token, resource, action, undefined, options)) return true;
    }
    return false;
  }

  /** True when every pair is allowed (stops at the first denied one; false for an empty list). */
  async hasAllPermissions(token: string, pairs: readonly PermissionPair[], options: CallOptions = {}) {
    if (!pairs.length) return false;
    for (const [resource, action] of pairs) {
      if (!(await this.checkPermission(token, resource, action, undefined, options))) return false;
    }
    return true;
  }

  /**
   * The permissions defined in the token's organisation (GET /api/v1/permissions), with their ABAC
   * conditions. A 401 is an `AuthenticationError` ("Invalid token").
   */
  async listUserPermissions(token: string, options: CallOptions = {}): Promise<PermissionResponse[]> {
    try {
      return await this.#http.get('/api/v1/permissions', {
        ...options,
        auth: bearer(checkCredential(token, 'token')),
        schema: v.array(PermissionResponseSchema),
      });
    } catch (error) {
      if (AuthenticationError.isInstance(error)) {
        throw new AuthenticationError('Invalid token', { status: 401, cause: error });
      }
      throw error;
    }
  }

  /**
   * The pairs the token's user holds through their role template, inherited roles included
   * (GET /api/v1/roles/users/me/permissions). Direct and group permissions, the owner shortcut and ABAC
   * conditions are not part of it: use {@link InkPassClient.checkPermission} for a decision.
   */
  async listEffectivePermissions(token: string, options: CallOptions = {}): Promise<EffectivePermission[]> {
    return this.#http.get('/api/v1/roles/users/me/permissions', {
      ...options,
      auth: bearer(checkCredential(token, 'token')),
      schema: v.array(EffectivePermissionSchema),
    });
  }

  /**
   * Creates an API key for the token's user (needs `api_keys:create`). The secret is in `apiKey` and is
   * shown only once. Not retried: a repeat after a lost answer would create a second key.
   */
  async createApiKey(
    token: string,
    input: CreateApiKeyInput,
    options: CallOptions = {},
  ): Promise<ApiKeyResponse> {
    const body: Record<string, unknown> = { name: checkNonEmpty(input.name, 'name') };
    if (input.scopes?.length) body['scopes'] = input.scopes;
    if (input.expiresInDays !== undefined) {
      if (!Number.isInteger(input.expiresInDays) || input.expiresInDays < 1) {
        throw invalidInput('expiresInDays', 'must be a whole number of days ≥ 1.');
      }
      body['expires_in_days'] = input.expiresInDays;
    }
    return this.#http.post('/api/v1/api-keys', {
      ...options,
      json: body,
      auth: bearer(checkCredential(token, 'token')),
      schema: ApiKeyResponseSchema,
    });
  }

  /**
   * The API keys of the token's user, or with no token (the client's `apiKey` then authenticates) every key
   * of the key's organisation. Never their secrets.
   */
  async listApiKeys(token?: string, options: CallOptions = {}): Promise<ApiKeySummary[]> {
    return this.#http.get('/api/v1/api-keys', {
      ...options,
      ...(token === undefined
        ? this.#serviceAuth('listApiKeys')
        : { auth: bearer(checkCredential(token, 'token')) }),
      schema: v.array(ApiKeySummarySchema),
    });
  }

  /**
   * Revokes (deletes) an API key of the token's organisation (needs `api_keys:delete`). An unknown key and
   * another organisation's are both `PermissionDeniedError` ("Access denied"), as inkPass answers.
   */
  async revokeApiKey(token: string, keyId: string, options: CallOptions = {}): Promise<void> {
    await this.#http.delete(`/api/v1/api-keys/${checkId(keyId, 'keyId')}`, {
      ...options,
      auth: bearer(checkCredential(token, 'token')),
      schema: MessageResponseSchema,
    });
  }

  /** The user a token belongs to, or `null` (the upstream SDK's `get_user_info`: {@link validateToken}). */
  async getUserInfo(token: string, options: CallOptions = {}): Promise<UserResponse | null> {
    return this.validateToken(token, options);
  }

  /**
   * Configures Stripe billing for the organisation of the client's `apiKey` (a service call: inkPass refuses
   * user tokens here). Not retried: it replaces the stored configuration.
   */
  async configureBilling(
    input: ConfigureBillingInput,
    options: CallOptions = {},
  ): Promise<BillingConfigResponse> {
    const body: Record<string, unknown> = {
      stripe_api_key: checkNonEmpty(input?.stripeApiKey, 'stripeApiKey'),
    };
    if (input.stripeWebhookSecret) body['stripe_webhook_secret'] = input.stripeWebhookSecret;
    if (input.prices && Object.keys(input.prices).length) body['prices'] = { ...input.prices };
    return this.#http.post('/api/v1/billing/configure', {
      ...options,
      ...this.#serviceAuth('configureBilling'),
      json: body,
      schema: BillingConfigResponseSchema,
    });
  }

  /**
   * Creates a Stripe checkout session for the token's organisation (needs `billing:create`); send the user to
   * `url`. Not retried: a repeat would open a second session.
   */
  async createCheckout(
    token: string,
    input: CheckoutInput,
    options: CallOptions = {},
  ): Promise<CheckoutResponse> {
    const body: Record<string, unknown> = {
      price_key: checkNonEmpty(input?.priceKey, 'priceKey'),
      success_url: checkNonEmpty(input.successUrl, 'successUrl'),
      cancel_url: checkNonEmpty(input.cancelUrl, 'cancelUrl'),
    };
    if (input.metadata && Object.keys(input.metadata).length) body['metadata'] = { ...input.metadata };
    return this.#http.post('/api/v1/billing/checkout', {
      ...options,
      auth: bearer(checkCredential(token, 'token')),
      json: body,
      schema: CheckoutResponseSchema,
    });
  }

  /** The organisation's subscription (needs `billing:view`); `status: 'none', tier: 'free'` before any. */
  async getSubscription(token: string, options: CallOptions = {}): Promise<SubscriptionResponse> {
    return this.#http.get('/api/v1/billing/subscription', {
      ...options,
      auth: bearer(checkCredential(token, 'token')),
      schema: SubscriptionResponseSchema,
    });
  }

  /** A Stripe billing-portal URL for the organisation (needs `billing:manage` and a Stripe customer). */
  async getBillingPortalUrl(token: string, returnUrl: string, options: CallOptions = {}): Promise<string> {
    const answer = await this.#http.post('/api/v1/billing/portal', {
      ...options,
      auth: bearer(checkCredential(token, 'token')),
      json: { return_url: checkNonEmpty(returnUrl, 'returnUrl') },
      schema: v.object({ url: v.string() }),
    });
    return answer.url;
  }

  /**
   * Whether billing is configured for the token's organisation (needs `billing:view`). `false` when inkPass
   * refuses the caller (401/403), as the upstream SDK answers; an outage or a bad answer throws, so it is
   * never mistaken for "not configured". inkPass needs a user here: an API key alone is always refused.
   */
  async isBillingConfigured(token?: string, options: CallOptions = {}): Promise<boolean> {
    try {
      const answer = await this.#http.get('/api/v1/billing/configured', {
        ...options,
        ...(token === undefined
          ? this.#serviceAuth('isBillingConfigured')
          : { auth: bearer(checkCredential(token, 'token')) }),
        schema: v.object({ configured: v.boolean() }),
      });
      return answer.configured;
    } catch (error) {
      if (XError.isInstance(error) && (error.status === 401 || error.status === 403)) return false;
      throw error;
    }
  }

  // ---- administration (users, groups, organisations, invitations) ------------------------------------

  /** The users whose primary organisation is the token's (needs `users:view`). */
  async listUsers(token: string, options: CallOptions = {}): Promise<OrgUser[]> {
    return this.#http.get('/api/v1/users', { ...this.#as(token, options), schema: v.array(OrgUserSchema) });
  }

  /** One user of the organisation (needs `users:view`); another organisation's → `PermissionDeniedError`. */
  async getUser(token: string, userId: string, options: CallOptions = {}): Promise<OrgUserDetail> {
    return this.#http.get(`/api/v1/users/${checkId(userId, 'userId')}`, {
      ...this.#as(token, options),
      schema: OrgUserDetailSchema,
    });
  }

  /**
   * Creates an active user in the token's organisation (needs `users:create`). inkPass gives the account no
   * membership role and no names: it passes only permissions granted to it directly.
   */
  async createUser(
    token: string,
    input: { email: string; password: string },
    options: CallOptions = {},
  ): Promise<OrgUser> {
    const json = { email: checkEmail(input?.email), password: checkNonEmpty(input.password, 'password') };
    return this.#http.post('/api/v1/users', { ...this.#as(token, options), json, schema: OrgUserSchema });
  }

  /** Changes a user's email and/or status (needs `users:manage`; another organisation's → "Access denied"). */
  async updateUser(
    token: string,
    userId: string,
    input: { email?: string; status?: string },
    options: CallOptions = {},
  ): Promise<OrgUser> {
    const json: Record<string, string> = {};
    if (input?.email !== undefined) json['email'] = checkEmail(input.email);
    if (input?.status !== undefined) json['status'] = checkNonEmpty(input.status, 'status');
    return this.#http.patch(`/api/v1/users/${checkId(userId, 'userId')}`, {
      ...this.#as(token, options),
      json,
      schema: OrgUserSchema,
    });
  }

  /** Deletes a user (needs `users:delete`): a soft delete, status `deleted`; their tokens stop working. */
  async deleteUser(token: string, userId: string, options: CallOptions = {}): Promise<void> {
    await this.#send('DELETE', `/api/v1/users/${checkId(userId, 'userId')}`, token, options);
  }

  /** The permissions granted to a user directly (needs `users:view`). */
  async getUserPermissions(
    token: string,
    userId: string,
    options: CallOptions = {},
  ): Promise<UserPermissions> {
    return this.#http.get(`/api/v1/users/${checkId(userId, 'userId')}/permissions`, {
      ...this.#as(token, options),
      schema: UserPermissionsSchema,
    });
  }

  /** The organisation's groups (any user of it). */
  async listGroups(token: string, options: CallOptions = {}): Promise<Group[]> {
    return this.#http.get('/api/v1/groups', { ...this.#as(token, options), schema: v.array(GroupSchema) });
  }

  /** Creates a group (needs `groups:create`; names are unique in the organisation). */
  async createGroup(
    token: string,
    input: { name: string; description?: string },
    options: CallOptions = {},
  ): Promise<Group> {
    const json: Record<string, string> = { name: checkNonEmpty(input?.name, 'name') };
    if (input.description !== undefined) json['description'] = input.description;
    return this.#http.post('/api/v1/groups', { ...this.#as(token, options), json, schema: GroupSchema });
  }

  /** Renames a group and/or changes its description (needs `groups:manage`). */
  async updateGroup(
    token: string,
    groupId: string,
    input: { name?: string; description?: string },
    options: CallOptions = {},
  ): Promise<Group> {
    const json: Record<string, string> = {};
    if (input?.name !== undefined) json['name'] = checkNonEmpty(input.name, 'name');
    if (input?.description !== undefined) json['description'] = input.description;
    return this.#http.patch(`/api/v1/groups/${checkId(groupId, 'groupId')}`, {
      ...this.#as(token, options),
      json,
      schema: GroupSchema,
    });
  }

  /** Deletes a group (needs `groups:delete`). Not retried (a repeat would answer "Access denied"). */
  async deleteGroup(token: string, groupId: string, options: CallOptions = {}): Promise<void> {
    await this.#send('DELETE', `/api/v1/groups/${checkId(groupId, 'groupId')}`, token, options);
  }

  /** Adds a user to a group (needs `groups:manage`; user and group must share an organisation). */
  async addGroupMember(token: string, groupId: string, userId: string, options: CallOptions = {}) {
    await this.#send('POST', this.#memberPath(groupId, userId), token, options);
  }

  /** Removes a user from a group (needs `groups:manage`). Not retried. */
  async removeGroupMember(token: string, groupId: string, userId: string, options: CallOptions = {}) {
    await this.#send('DELETE', this.#memberPath(groupId, userId), token, options);
  }

  /** The token user's organisation, as a one-element list (inkPass lists the primary one only). */
  async listOrganizations(token: string, options: CallOptions = {}): Promise<Organization[]> {
    return this.#http.get('/api/v1/organizations', {
      ...this.#as(token, options),
      schema: v.array(OrganizationSchema),
    });
  }

  /** The token user's organisation with its settings (another id → `PermissionDeniedError`). */
  async getOrganization(
    token: string,
    organizationId: string,
    options: CallOptions = {},
  ): Promise<Organization> {
    return this.#http.get(`/api/v1/organizations/${checkId(organizationId, 'organizationId')}`, {
      ...this.#as(token, options),
      schema: OrganizationSchema,
    });
  }

  /**
   * Creates an organisation (any user; the slug defaults to the name lower-cased with `-` for spaces). inkPass
   * does not make the caller a member of it.
   */
  async createOrganization(
    token: string,
    input: { name: string; slug?: string },
    options: CallOptions = {},
  ): Promise<Organization> {
    const json: Record<string, string> = {
      name: checkOrganizationName(checkNonEmpty(input?.name, 'name'), 'name')!,
    };
    if (input.slug) json['slug'] = input.slug;
    return this.#http.post('/api/v1/organizations', {
      ...this.#as(token, options),
      json,
      schema: OrganizationSchema,
    });
  }

  /** Renames the token user's organisation and/or replaces its settings (needs `organization:manage`). */
  async updateOrganization(
    token: string,
    organizationId: string,
    input: { name?: string; settings?: Record<string, unknown> },
    options: CallOptions = {},
  ): Promise<Organization> {
    const json: Record<string, unknown> = {};
    if (input?.name !== undefined)
      json['name'] = checkOrganizationName(checkNonEmpty(input.name, 'name'), 'name');
    if (input?.settings !== undefined) json['settings'] = input.settings;
    return this.#http.patch(`/api/v1/organizations/${checkId(organizationId, 'organizationId')}`, {
      ...this.#as(token, options),
      json,
      schema: OrganizationSchema,
    });
  }

  /** The members of the token user's organisation with their role strings (needs `users:view`). */
  async listOrganizationMembers(
    token: string,
    organizationId: string,
    options: CallOptions = {},
  ): Promise<Member[]> {
    return this.#http.get(`/api/v1/organizations/${checkId(organizationId, 'organizationId')}/members`, {
      ...this.#as(token, options),
      schema: v.array(MemberSchema),
    });
  }

  /**
   * Invites `email` to the token's organisation (needs `users:create`); inkPass mails a link valid 7 days.
   * `role` is the role string the invitee gets (default `member`).
   */
  async createInvitation(
    token: string,
    input: { email: string; role?: string },
    options: CallOptions = {},
  ): Promise<Invitation> {
    const json: Record<string, string> = { email: checkEmail(input?.email) };
    if (input.role !== undefined) json['role'] = checkNonEmpty(input.role, 'role');
    return this.#http.post('/api/v1/invitations', {
      ...this.#as(token, options),
      json,
      schema: InvitationSchema,
    });
  }

  /** The organisation's invitations, newest first, optionally of one status (needs `users:view`). */
  async listInvitations(
    token: string,
    filter: { status?: string } = {},
    options: CallOptions = {},
  ): Promise<Invitation[]> {
    return this.#http.get('/api/v1/invitations', {
      ...this.#as(token, options),
      query: { status_filter: filter.status || undefined },
      schema: v.array(InvitationSchema),
    });
  }

  /** Revokes a pending invitation (needs `users:manage`). Not retried. */
  async revokeInvitation(token: string, invitationId: string, options: CallOptions = {}): Promise<void> {
    await this.#send(
      'DELETE',
      `/api/v1/invitations/${checkId(invitationId, 'invitationId')}`,
      token,
      options,
    );
  }

  /** Mails a new link (the old one stops working) valid 7 more days (needs `users:create`). */
  async resendInvitation(token: string, invitationId: string, options: CallOptions = {}): Promise<void> {
    await this.#send(
      'POST',
      `/api/v1/invitations/${checkId(invitationId, 'invitationId')}/resend`,
      token,
      options,
    );
  }

  /** Whether an invitation token (from the mailed link) can be used; no login needed. */
  async validateInvitation(invitationToken: string, options: CallOptions = {}): Promise<InvitationCheck> {
    return this.#http.get(
      `/api/v1/invitations/validate/${encodeURIComponent(checkCredential(invitationToken, 'invitationToken'))}`,
      {
        ...options,
        auth: noAuth(),
        schema: InvitationCheckSchema,
      },
    );
  }

  /**
   * Accepts an invitation: a new, active account with this password, or an existing account joins the
   * organisation. Beware: upstream's tokens in the answer carry no session and inkPass refuses them; log in.
   */
  async acceptInvitation(
    input: { token: string; password: string },
    options: CallOptions = {},
  ): Promise<AcceptedInvitation> {
    const json = { token: checkCredential(input?.token, 'token'), password: checkPassword(input.password) };
    return this.#http.post('/api/v1/invitations/accept', {
      ...options,
      auth: noAuth(),
      json,
      schema: AcceptedInvitationSchema,
    });
  }

  // ---- roles and permission templates --------------------------------------------------------------

  /** The roles of the template applied to the token's organisation, highest priority first ([] without one). */
  async listRoles(token: string, options: CallOptions = {}): Promise<Role[]> {
    return this.#http.get('/api/v1/roles', { ...this.#as(token, options), schema: v.array(RoleSchema) });
  }

  /**
   * A user's role in the token's organisation; without `userId` the caller's own. Another user's needs
   * `users:read`, which no template grants: only an owner or a direct grant passes.
   */
  async getUserRole(token: string, userId?: string, options: CallOptions = {}): Promise<UserRole> {
    const who = userId === undefined ? 'me' : checkId(userId, 'userId');
    return this.#http.get(`/api/v1/roles/users/${who}`, {
      ...this.#as(token, options),
      schema: UserRoleSchema,
    });
  }

  /** What a user's role grants, inherited roles included (`users:read`, as {@link InkPassClient.getUserRole}). */
  async getUserRolePermissions(
    token: string,
    userId: string,
    options: CallOptions = {},
  ): Promise<EffectivePermission[]> {
    return this.#http.get(`/api/v1/roles/users/${checkId(userId, 'userId')}/permissions`, {
      ...this.#as(token, options),
      schema: v.array(EffectivePermissionSchema),
    });
  }

  /**
   * Gives a member of the token's organisation one of its template's roles by name (needs `users:update`; an
   * owner). An unknown role or a non-member → `ValidationError` with the server's reason.
   */
  async assignRole(
    token: string,
    userId: string,
    role: string,
    options: CallOptions = {},
  ): Promise<UserRole> {
    return this.#http.put(`/api/v1/roles/users/${checkId(userId, 'userId')}`, {
      ...this.#as(token, options),
      json: { role: checkNonEmpty(role, 'role') },
      schema: UserRoleSchema,
    });
  }

  /** The permission templates the server offers. */
  async listTemplates(token: string, options: CallOptions = {}): Promise<Template[]> {
    return this.#http.get('/api/v1/templates', {
      ...this.#as(token, options),
      schema: v.array(TemplateSchema),
    });
  }

  /** One template with its roles. */
  async getTemplate(token: string, templateId: string, options: CallOptions = {}): Promise<TemplateDetail> {
    return this.#http.get(`/api/v1/templates/${checkId(templateId, 'templateId')}`, {
      ...this.#as(token, options),
      schema: TemplateDetailSchema,
    });
  }

  /** A template's roles, highest priority first. */
  async listTemplateRoles(token: string, templateId: string, options: CallOptions = {}): Promise<Role[]> {
    return this.#http.get(`/api/v1/templates/${checkId(templateId, 'templateId')}/roles`, {
      ...this.#as(token, options),
      schema: v.array(RoleSchema),
    });
  }

  /** What a template's role grants; `inherited: false` leaves out what it inherits. */
  async getTemplateRolePermissions(
    token: string,
    templateId: string,
    roleName: string,
    options: CallOptions & { inherited?: boolean } = {},
  ): Promise<EffectivePermission[]> {
    const { inherited, ...call } = options;
    const role = encodeURIComponent(checkNonEmpty(roleName, 'roleName'));
    return this.#http.get(
      `/api/v1/templates/${checkId(templateId, 'templateId')}/roles/${role}/permissions`,
      {
        ...this.#as(token, call),
        query: { include_inherited: inherited },
        schema: v.array(EffectivePermissionSchema),
      },
    );
  }

  /** The template applied to the token's organisation, or `null`. */
  async getOrganizationTemplate(
    token: string,
    options: CallOptions = {},
  ): Promise<OrganizationTemplate | null> {
    return this.#http.get('/api/v1/templates/organization/current', {
      ...this.#as(token, options),
      schema: OrganizationTemplateSchema,
    });
  }

  /** Brings the organisation to its template's latest version (an owner only); the server's message and version. */
  async syncOrganizationTemplate(token: string, options: CallOptions = {}): Promise<TemplateSync> {
    return this.#http.post('/api/v1/templates/organization/sync', {
      ...this.#as(token, options),
      schema: v.object({ message: v.string(), version: v.number() }),
    });
  }

  /** The call's options with the user's token as its auth. */
  #as<T extends object>(token: string, options: T): T & { auth: AuthStrategy } {
    return { ...options, auth: bearer(checkCredential(token, 'token')) };
  }

  #memberPath(groupId: string, userId: string): string {
    return `/api/v1/groups/${checkId(groupId, 'groupId')}/members/${checkId(userId, 'userId')}`;
  }

  /** A write answered with `{message}`, never repeated (a repeat would answer differently). */
  async #send(method: string, path: string, token: string, options: CallOptions): Promise<void> {
    await this.#http.request(method, path, {
      ...this.#as(token, options),
      idempotent: false,
      schema: MessageResponseSchema,
    });
  }

  /** POSTs `json` and returns the answer's `message` (not retried: these calls send mail or use codes). */
  async #message(
    path: string,
    json: Record<string, string>,
    auth: AuthStrategy | undefined,
    options: CallOptions,
  ): Promise<string> {
    const answer = await this.#http.post(path, {
      ...options,
      ...(auth ? { auth } : {}),
      json,
      schema: MessageResponseSchema,
    });
    return answer.message;
  }

  /** The client's `apiKey` as this call's auth, or a clear error when none is configured. */
  #serviceAuth(call: string) {
    if (!this.config.apiKey)
      throw invalidInput('apiKey', `${call} without a token needs the client's apiKey (a service key).`);
    return { auth: apiKey(this.config.apiKey) };
  }

  async #nullOn401<T>(call: () => Promise<T>): Promise<T | null> {
    try {
      return await call();
    } catch (error) {
      if (AuthenticationError.isInstance(error) && error.status === 401) return null;
      throw error;
    }
  }
}
