/**
 * `InkPassClient`: registration, login, tokens, fail-safe permission checks and API keys (spec §5, §6).
 *
 * @module
 */
import { apiKey, bearer, type HttpClient, type Logger, noAuth, XError } from '@x/http-core';
import * as v from 'valibot';
import { buildHttpClient, type InkPassConfig, type ResolvedConfig, resolveConfig } from './config.ts';
import { AuthenticationError, invalidInput, ValidationError } from './errors.ts';
import {
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
  MessageResponseSchema,
  PermissionCheckResponseSchema,
  type PermissionResponse,
  PermissionResponseSchema,
  type RegistrationResponse,
  RegistrationResponseSchema,
  type SubscriptionResponse,
  SubscriptionResponseSchema,
  type TokenResponse,
  TokenResponseSchema,
  type TwoFactorEnableResponse,
  TwoFactorEnableResponseSchema,
  type TwoFactorSetup,
  TwoFactorSetupResponseSchema,
  type UserResponse,
  UserResponseSchema,
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
    checkEmail(email);
    checkSixDigitCode(code, 'code');
    const r = await this.#http.post('/api/v1/auth/verify-email', {
      ...options,
      json: { email, code },
      schema: MessageResponseSchema,
    });
    return r.message;
  }

  /** Asks inkPass to mail a new verification code (always succeeds, to prevent enumeration). */
  async resendVerification(email: string, options: CallOptions = {}): Promise<string> {
    checkEmail(email);
    const r = await this.#http.post('/api/v1/auth/resend-verification', {
      ...options,
      json: { email },
      schema: MessageResponseSchema,
    });
    return r.message;
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
