/**
 * Wire schemas of the OIDC endpoints (snake_case, as the provider sends them) and the camelCase shapes
 * the auth client hands out.
 *
 * @module
 */
import * as v from 'valibot';

/** The provider's endpoints, read from discovery (camelCase of the wire names). */
export interface OidcDiscovery {
  /** The issuer identifier (for Keycloak, the realm URL). */
  issuer?: string;
  /** Where tokens are requested; always present (discovery fails without it). */
  tokenEndpoint: string;
  /** Where device logins start (RFC 8628), if offered. */
  deviceAuthorizationEndpoint?: string;
  /** Where the browser is sent for authorization code logins, if offered. */
  authorizationEndpoint?: string;
  /** Where tokens are revoked (RFC 7009), if offered. */
  revocationEndpoint?: string;
  /** The provider's signing keys, if published. */
  jwksUri?: string;
}

/** The discovery document (`/.well-known/openid-configuration`); only the fields the client uses. */
export const OidcDiscoverySchema = v.pipe(
  v.looseObject({
    issuer: v.optional(v.string()),
    token_endpoint: v.optional(v.string()),
    device_authorization_endpoint: v.optional(v.string()),
    authorization_endpoint: v.optional(v.string()),
    revocation_endpoint: v.optional(v.string()),
    jwks_uri: v.optional(v.string()),
  }),
  v.transform((d) => ({
    issuer: d.issuer,
    tokenEndpoint: d.token_endpoint,
    deviceAuthorizationEndpoint: d.device_authorization_endpoint,
    authorizationEndpoint: d.authorization_endpoint,
    revocationEndpoint: d.revocation_endpoint,
    jwksUri: d.jwks_uri,
  })),
);

/** The device authorization response (RFC 8628 §3.2). */
export const DeviceAuthorizationSchema = v.pipe(
  v.looseObject({
    device_code: v.pipe(v.string(), v.minLength(1)),
    user_code: v.pipe(v.string(), v.minLength(1)),
    verification_uri: v.pipe(v.string(), v.minLength(1)),
    verification_uri_complete: v.optional(v.string()),
    expires_in: v.optional(v.pipe(v.number(), v.minValue(0)), 600),
    interval: v.optional(v.pipe(v.number(), v.minValue(0)), 5),
  }),
  v.transform((d) => ({
    deviceCode: d.device_code,
    userCode: d.user_code,
    verificationUri: d.verification_uri,
    verificationUriComplete: d.verification_uri_complete,
    expiresIn: d.expires_in,
    interval: d.interval,
  })),
);

/** What the device login shows the user: the code and where to enter it. */
export interface DeviceCodeInfo {
  /** The code the user types in (e.g. `WDJB-MJHT`). */
  userCode: string;
  /** Where the user enters the code. */
  verificationUri: string;
  /** The same page with the code filled in, when the provider offers it; show it (or a QR code) first. */
  verificationUriComplete?: string;
  /** Seconds until the code expires. */
  expiresIn: number;
  /** The polling interval in seconds the client starts with (at least 5). */
  interval: number;
}

/** A successful token response (RFC 6749 §5.1). */
export const TokenResponseSchema = v.pipe(
  v.looseObject({
    access_token: v.pipe(v.string(), v.minLength(1)),
    token_type: v.optional(v.string(), 'Bearer'),
    expires_in: v.optional(v.pipe(v.number(), v.minValue(0))),
    refresh_token: v.optional(v.string()),
    id_token: v.optional(v.string()),
    scope: v.optional(v.string()),
  }),
  v.transform((t) => ({
    accessToken: t.access_token,
    tokenType: t.token_type,
    expiresIn: t.expires_in,
    refreshToken: t.refresh_token,
    idToken: t.id_token,
    scope: t.scope,
  })),
);

/** A token response in camelCase. */
export type TokenResponse = v.InferOutput<typeof TokenResponseSchema>;

/** An OAuth error body (RFC 6749 §5.2). */
export const OAuthErrorSchema = v.looseObject({
  error: v.string(),
  error_description: v.optional(v.string()),
});

/**
 * The session the client holds, as {@link AirlockAuthClient.getTokenState} exports it and a
 * {@link TokenStore} keeps it.
 */
export interface TokenState {
  /** The access token (a JWT from Keycloak), sent as `Authorization: Bearer`. */
  accessToken: string;
  /** The refresh token, when the provider issued one. */
  refreshToken?: string;
  /** When the access token counts as expired, epoch milliseconds, the 30 s skew already taken off. */
  expiresAt?: number;
  /** The token type, normally `Bearer`. */
  tokenType?: string;
  /** The granted scope. */
  scope?: string;
  /** The OpenID Connect ID token, when the provider issued one. */
  idToken?: string;
}

/** Validates a {@link TokenState} read from a store or given to `restoreTokens`. */
export const TokenStateSchema: v.GenericSchema<unknown, TokenState> = v.object({
  accessToken: v.pipe(v.string(), v.minLength(1)),
  refreshToken: v.optional(v.string()),
  expiresAt: v.optional(v.pipe(v.number(), v.finite())),
  tokenType: v.optional(v.string()),
  scope: v.optional(v.string()),
  idToken: v.optional(v.string()),
});
