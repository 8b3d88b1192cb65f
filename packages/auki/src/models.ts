/**
 * The wire shapes of the Auki auth API and discovery service as valibot schemas, and the
 * camelCase types the TypeScript surface uses. Wire names stay as the wire spells them inside the schemas.
 *
 * @module
 */
import * as v from 'valibot';

/** A `domain_server` object of a domain-access answer; every field is required and non-null. */
export const DomainServerWire = v.object({
  id: v.string(),
  organization_id: v.string(),
  name: v.string(),
  url: v.string(),
  version: v.string(),
  status: v.string(),
  mode: v.string(),
  variants: v.array(v.string()),
  ip: v.string(),
  // JSON.parse turns an out-of-range number such as 1e400 into Infinity, which JSON.stringify writes back
  // as null: accepting it would save state that fromState() then rejects. Refuse it at the door.
  latitude: v.pipe(v.number(), v.finite('must be a finite number')),
  longitude: v.pipe(v.number(), v.finite('must be a finite number')),
  cloud_region: v.string(),
});

/** The body of a 200 from `POST {dds_url}/api/v1/domains/{id}/auth`. */
export const DomainAccessResponse = v.object({
  id: v.string(),
  name: v.string(),
  organization_id: v.string(),
  domain_server_id: v.string(),
  access_token: v.string(),
  owner_wallet_address: v.string(),
  domain_server: DomainServerWire,
});

/** The body of a 200 from the login endpoint: `expires_in` is ignored there. */
export const LoginResponse = v.object({
  access_token: v.string(),
  refresh_token: v.string(),
});

/**
 * The body of a 200 from the refresh endpoint: `expires_in`, when present, is whole seconds.
 * The upstream service sends `"expires_in": null` at times; null counts as absent, so the expiry then comes
 * from the access token's JWT `exp`. A non-finite or unsafe number (e.g. `1e400`) is refused.
 */
export const RefreshResponse = v.object({
  access_token: v.string(),
  refresh_token: v.string(),
  expires_in: v.nullish(
    v.pipe(v.number(), v.safeInteger('must be a whole number of seconds'), v.minValue(0)),
  ),
});

/** The body of a 200 from `POST {api_url}/service/domains-access-token`. */
export const DiscoveryResponse = v.object({
  access_token: v.string(),
});

/** The domain server a domain access points at, camelCase. */
export interface DomainServer {
  /** The server's id. */
  id: string;
  /** The organization running it. */
  organizationId: string;
  /** Its name. */
  name: string;
  /** The URL to talk to the domain through. */
  url: string;
  /** Its software version. */
  version: string;
  /** E.g. `online`. */
  status: string;
  /** E.g. `public`. */
  mode: string;
  /** The variants it serves. */
  variants: string[];
  /** Its IP address. */
  ip: string;
  /** Latitude in degrees. */
  latitude: number;
  /** Longitude in degrees. */
  longitude: number;
  /** E.g. `us-east-1`. */
  cloudRegion: string;
}

/** Access to one domain: the token for its domain server, and where that server is. */
export interface DomainAccess {
  /** The domain id as the service reported it. */
  id: string;
  /** The domain's name. */
  name: string;
  /** The organization owning the domain. */
  organizationId: string;
  /** The id of the domain server. */
  domainServerId: string;
  /** The bearer token for the domain server (a JWT). */
  accessToken: string;
  /** When `accessToken` expires, epoch ms (from its JWT `exp`). */
  expiresAt: number;
  /** The owner's wallet address. */
  ownerWalletAddress: string;
  /** The domain server. */
  domainServer: DomainServer;
}

/** A token and its expiry (network or discovery tier). */
export interface AukiToken {
  /** The token as sent in `Authorization` (a JWT, an opaque token, or `Basic …` for app keys). */
  token: string;
  /** Expiry, epoch ms. */
  expiresAt: number;
}

/** The network token as the core holds it: the token plus whether a refresh token backs it. */
export interface NetworkToken extends AukiToken {
  /** True when a refresh token is held, so the core refreshes instead of logging in again. */
  refreshable: boolean;
}

/** Converts a validated wire domain access into the camelCase surface type. */
export function toDomainAccess(
  wire: v.InferOutput<typeof DomainAccessResponse>,
  expiresAt: number,
): DomainAccess {
  const s = wire.domain_server;
  return {
    id: wire.id,
    name: wire.name,
    organizationId: wire.organization_id,
    domainServerId: wire.domain_server_id,
    accessToken: wire.access_token,
    expiresAt,
    ownerWalletAddress: wire.owner_wallet_address,
    domainServer: {
      id: s.id,
      organizationId: s.organization_id,
      name: s.name,
      url: s.url,
      version: s.version,
      status: s.status,
      mode: s.mode,
      variants: [...s.variants],
      ip: s.ip,
      latitude: s.latitude,
      longitude: s.longitude,
      cloudRegion: s.cloud_region,
    },
  };
}

/** Converts a domain access back into its wire form (for saved state). */
export function toDomainAccessWire(access: DomainAccess): v.InferOutput<typeof DomainAccessResponse> & {
  expires_at: number;
} {
  const s = access.domainServer;
  return {
    id: access.id,
    name: access.name,
    organization_id: access.organizationId,
    domain_server_id: access.domainServerId,
    access_token: access.accessToken,
    expires_at: access.expiresAt,
    owner_wallet_address: access.ownerWalletAddress,
    domain_server: {
      id: s.id,
      organization_id: s.organizationId,
      name: s.name,
      url: s.url,
      version: s.version,
      status: s.status,
      mode: s.mode,
      variants: [...s.variants],
      ip: s.ip,
      latitude: s.latitude,
      longitude: s.longitude,
      cloud_region: s.cloudRegion,
    },
  };
}
