/**
 * Wire schemas of the OIDC endpoints (snake_case, as the provider sends them) and the camelCase shapes
 * the auth client hands out.
 *
 * @module
 */
import * as v from 'valibot';

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

/** The provider's endpoints, read from discovery; `tokenEndpoint` is always present. */
export type OidcDiscovery = v.InferOutput<typeof OidcDiscoverySchema> & { tokenEndpoint: string };

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
 * {@link TokenStore} keeps it. `expiresAt` is epoch milliseconds with the 30 s skew already taken off.
 */
export const TokenStateSchema = v.object({
  accessToken: v.pipe(v.string(), v.minLength(1)),
  refreshToken: v.optional(v.string()),
  expiresAt: v.optional(v.number()),
  tokenType: v.optional(v.string()),
  scope: v.optional(v.string()),
  idToken: v.optional(v.string()),
});

/** The session the client holds; see {@link TokenStateSchema}. */
export type TokenState = v.InferOutput<typeof TokenStateSchema>;
