/**
 * The artifact-gateway error family. Every error the building blocks throw carries the HTTP `status` the
 * gateway answers with and a stable `code`; the gateway turns any of them into `{"detail": message}`.
 * Messages say what was wrong and never contain tokens, credentials or file contents.
 *
 * @module
 */
import { XError, type XErrorCode, type XErrorOptions } from '@x/http-core';

/**
 * The codes of {@link ArtifactGatewayError}:
 *
 * | code | status | meaning |
 * |---|---|---|
 * | `invalid_token` | 401 | the app token is missing, malformed, tampered, of another algorithm or lacks a claim |
 * | `token_expired` | 401 | the app token's `exp` has passed |
 * | `permission_denied` | 403 | the token's scope does not allow the call, or the internal allowlist refuses it |
 * | `blocked_destination` | 403 | the external URL is not https or resolves to a private / internal address |
 * | `invalid_request` | 400 | a field is missing, of the wrong type or not allowed (bad SQL, bad path, bad name) |
 * | `path_escape` | 400 | a file path leaves the user's or session's folder |
 * | `not_found` | 404 | the file does not exist |
 * | `payload_too_large` | 413 | a body, file or upstream response is over its limit |
 * | `version_conflict` | 409 | a state `set` gave an `expected_version` that is not current |
 * | `credential_error` | 400 | a vault ciphertext cannot be decoded or decrypted, or a placement is invalid |
 * | `upstream_error` | 502 | the external or internal service could not be reached |
 * | `upstream_timeout` | 504 | the external or internal service did not answer in time |
 * | `not_configured` | 501 / 503 | the feature needs a host option (a runner, `MONGODB_URL`, a vault) |
 */
export type ArtifactGatewayErrorCode =
  | 'invalid_token'
  | 'token_expired'
  | 'permission_denied'
  | 'blocked_destination'
  | 'invalid_request'
  | 'path_escape'
  | 'not_found'
  | 'payload_too_large'
  | 'version_conflict'
  | 'credential_error'
  | 'upstream_error'
  | 'upstream_timeout'
  | 'not_configured';

const statusOf: Record<ArtifactGatewayErrorCode, number> = {
  invalid_token: 401,
  token_expired: 401,
  permission_denied: 403,
  blocked_destination: 403,
  invalid_request: 400,
  path_escape: 400,
  not_found: 404,
  payload_too_large: 413,
  version_conflict: 409,
  credential_error: 400,
  upstream_error: 502,
  upstream_timeout: 504,
  not_configured: 501,
};

/** Options of {@link ArtifactGatewayError}. */
export interface ArtifactGatewayErrorOptions extends Omit<XErrorOptions, 'code'> {
  /** The gateway code (one of {@link ArtifactGatewayErrorCode}); it implies the status. */
  code: ArtifactGatewayErrorCode;
  /** Overrides the status the code implies (e.g. 503 for a missing database server). */
  status?: number;
}

/**
 * The base of every error thrown by @x/artifact-gateway. `status` is what the gateway answers with.
 *
 * @example
 * ```ts
 * try {
 *   await validateAppToken({ secretKey, token });
 * } catch (error) {
 *   if (ArtifactGatewayError.isInstance(error) && error.code === 'token_expired') refreshInHost();
 * }
 * ```
 */
export class ArtifactGatewayError extends XError {
  static override readonly brand: symbol = Symbol.for('@x/artifact-gateway.ArtifactGatewayError');
  /** The gateway code (one of {@link ArtifactGatewayErrorCode}). */
  declare readonly code: ArtifactGatewayErrorCode & XErrorCode;
  /** The HTTP status the gateway answers with. */
  declare readonly status: number;

  /**
   * Creates an error: the message, then `{ code, status?, cause? }` (the one constructor shape of the SDKs);
   * the status defaults to the code's (see {@link ArtifactGatewayErrorCode}).
   */
  constructor(message: string, options: ArtifactGatewayErrorOptions) {
    super(message, { ...options, status: options.status ?? statusOf[options.code] });
  }
}

/** A state `set` lost a race: `expectedVersion` was not the current version. */
export class VersionConflictError extends ArtifactGatewayError {
  static override readonly brand: symbol = Symbol.for('@x/artifact-gateway.VersionConflictError');
  /** The version the resource has now. */
  readonly currentVersion: number;

  /** Creates the error: the message, then `{ currentVersion, …options }` (see {@link VersionConflictError.at}). */
  constructor(
    message: string,
    options: Omit<ArtifactGatewayErrorOptions, 'code'> & { currentVersion: number },
  ) {
    const { currentVersion, ...rest } = options;
    super(message, { ...rest, code: 'version_conflict' });
    this.currentVersion = currentVersion;
  }

  /** The error for a resource whose version is `currentVersion`, with the gateway's message. */
  static at(currentVersion: number): VersionConflictError {
    return new VersionConflictError(
      `version conflict (current=${currentVersion}); read the resource and retry`,
      {
        currentVersion,
      },
    );
  }
}

/** Shorthand for a 400 `invalid_request`. */
export function invalidRequest(message: string): ArtifactGatewayError {
  return new ArtifactGatewayError(message, { code: 'invalid_request' });
}
