/**
 * The saved-state format (versioned): tokens and cached domain accesses, never a password, an app
 * secret or a refresh token in clear. A refresh token is kept only sealed by the caller (the high-level
 * client seals it with AES-256-GCM under a key the caller holds).
 *
 * @module
 */
import * as v from 'valibot';
import { AukiStateError } from '../errors.ts';
import { type AukiToken, type DomainAccess, DomainAccessResponse, toDomainAccess } from '../models.ts';

/** The `format` marker of saved state. */
export const STATE_FORMAT = 'x-auki-state';
/** The version of the saved-state format this package writes and reads. */
export const STATE_VERSION = 1;

const Expiry = v.pipe(v.number(), v.integer(), v.minValue(0));

const SavedStateWire = v.object({
  format: v.literal(STATE_FORMAT),
  version: v.literal(STATE_VERSION),
  network_auth: v.nullish(
    v.object({ token: v.string(), expires_at: Expiry, sealed_refresh_token: v.optional(v.string()) }),
  ),
  discovery_auth: v.nullish(v.object({ token: v.string(), expires_at: Expiry })),
  domain_accesses: v.record(v.string(), v.object({ ...DomainAccessResponse.entries, expires_at: Expiry })),
});

/** The network token of saved state. */
export interface SavedNetworkAuth extends AukiToken {
  /** The refresh token as the caller sealed it, if it was saved. */
  sealedRefreshToken?: string;
}

/** Saved state, parsed and checked. */
export interface SavedAukiState {
  /** The format version (1). */
  version: number;
  /** The network token, if one was saved; `sealedRefreshToken` is the caller's sealed refresh token. */
  networkAuth: SavedNetworkAuth | null;
  /** The discovery token, if one was saved. */
  discoveryAuth: AukiToken | null;
  /** Cached domain accesses by requested domain id. */
  domainAccesses: Record<string, DomainAccess>;
}

/**
 * Parses saved state (the JSON text of `saveState()`), checking every field. Throws {@link AukiStateError}
 * for text that is not JSON, another format or version, or missing and mistyped fields.
 *
 * @example
 * ```ts
 * const saved = parseSavedState(text);
 * if (saved.networkAuth?.sealedRefreshToken) console.log('a sealed refresh token is included');
 * ```
 */
export function parseSavedState(text: string): SavedAukiState {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AukiStateError(
      'Invalid state JSON: the saved state is not JSON; pass the text saveState() gave.',
      {
        cause: error,
      },
    );
  }
  const version = (json as { version?: unknown } | null)?.version;
  if (typeof json === 'object' && json !== null && version !== undefined && version !== STATE_VERSION)
    throw new AukiStateError(
      `Invalid state: version ${String(version)} is not supported (this package reads version ${STATE_VERSION}).`,
    );
  const parsed = v.safeParse(SavedStateWire, json);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const where = issue.path?.map((p) => String(p.key)).join('.') || 'the top level';
    throw new AukiStateError(`Invalid state: ${where}: ${issue.message}. Pass the text saveState() gave.`);
  }
  const w = parsed.output;
  const domainAccesses: Record<string, DomainAccess> = {};
  for (const [id, access] of Object.entries(w.domain_accesses))
    domainAccesses[id] = toDomainAccess(access, access.expires_at);
  const net = w.network_auth;
  return {
    version: w.version,
    networkAuth: net
      ? {
          token: net.token,
          expiresAt: net.expires_at,
          ...(net.sealed_refresh_token === undefined ? {} : { sealedRefreshToken: net.sealed_refresh_token }),
        }
      : null,
    discoveryAuth: w.discovery_auth
      ? { token: w.discovery_auth.token, expiresAt: w.discovery_auth.expires_at }
      : null,
    domainAccesses,
  };
}

// The upstream core's `save_state()`: no format marker, the refresh token in clear, the options
// may be absent (serde: missing Option = none) but the domain map is required.
const UpstreamStateWire = v.object({
  network_auth: v.nullish(v.object({ token: v.string(), refresh_token: v.string(), expires_at: Expiry })),
  discovery_auth: v.nullish(v.object({ token: v.string(), expires_at: Expiry })),
  domain_accesses: v.record(v.string(), v.object({ ...DomainAccessResponse.entries, expires_at: Expiry })),
});

/** State written by the upstream Auki core, parsed: the tokens as ours, and its refresh token (in clear). */
export interface UpstreamAukiState {
  /** The state in this package's terms; its `networkAuth` has no `sealedRefreshToken`. */
  state: SavedAukiState;
  /** The refresh token the upstream state held in clear, if any; keep it out of logs. */
  refreshToken?: string;
  /** True when the upstream state held an app-key token (`Basic` + key and secret), which is not imported. */
  droppedAppKeyToken: boolean;
}

/**
 * Parses the JSON text of the upstream Auki core's `save_state()` (Rust, and its Swift, Kotlin and JS
 * bindings), so a user moving from it keeps the session. Its app-key token (the key and secret in
 * base64) is not taken over: set app-key credentials again. Throws {@link AukiStateError} for text that is not
 * JSON, is this package's own format (restore that with `fromState`), or has missing and mistyped fields.
 *
 * @example
 * ```ts
 * const { state, refreshToken } = parseUpstreamState(savedByTheRustCore);
 * ```
 */
export function parseUpstreamState(text: string): UpstreamAukiState {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AukiStateError(
      'Invalid state JSON: the upstream state is not JSON; pass what save_state() gave.',
      {
        cause: error,
      },
    );
  }
  if ((json as { format?: unknown } | null)?.format === STATE_FORMAT)
    throw new AukiStateError(
      'Invalid state: this is state saved by this package (format x-auki-state); restore it with fromState.',
    );
  const parsed = v.safeParse(UpstreamStateWire, json);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const where = issue.path?.map((p) => String(p.key)).join('.') || 'the top level';
    throw new AukiStateError(
      `Invalid state: ${where}: ${issue.message}. Pass the upstream core's save_state() text.`,
    );
  }
  const w = parsed.output;
  const domainAccesses: Record<string, DomainAccess> = {};
  for (const [id, access] of Object.entries(w.domain_accesses))
    domainAccesses[id] = toDomainAccess(access, access.expires_at);
  const net = w.network_auth;
  const appKey = net?.token.startsWith('Basic ') === true;
  const keep = net && !appKey ? net : undefined;
  return {
    state: {
      version: STATE_VERSION,
      networkAuth: keep ? { token: keep.token, expiresAt: keep.expires_at } : null,
      discoveryAuth: w.discovery_auth
        ? { token: w.discovery_auth.token, expiresAt: w.discovery_auth.expires_at }
        : null,
      domainAccesses,
    },
    ...(keep && keep.refresh_token !== '' ? { refreshToken: keep.refresh_token } : {}),
    droppedAppKeyToken: appKey,
  };
}
