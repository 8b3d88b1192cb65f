/**
 * The contract between the auth client and the gateway client: the gateway asks for a bearer token before a
 * request and asks for a refresh after a 401. `AirlockAuthClient` (from `@x/airlock/auth`) implements it; so can any
 * caller.
 */
export interface AccessTokenProvider {
  /** A currently valid access token (refreshing first when it has expired). */
  getAccessToken(options?: { signal?: AbortSignal }): Promise<string>;
  /** Forces a refresh after the gateway rejected the token; resolves with the new access token. */
  refreshAccessToken(options?: { signal?: AbortSignal }): Promise<string>;
}
