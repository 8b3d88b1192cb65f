// Shared test helpers: unsigned JWTs (the core reads only `exp`) and wire bodies for the core tests.
import { base64UrlEncode, utf8Encode } from '@x/crypto';

/** A JWT whose payload is `claims`; the signature part is a placeholder (the core never checks it). */
export function unsignedJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => base64UrlEncode(utf8Encode(JSON.stringify(value)));
  return `${part({ alg: 'ES256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;
}

/** A JWT expiring at `expiresAtMs` (rounded down to whole seconds, as `exp` is). */
export const jwtExpiringAt = (expiresAtMs: number, claims: Record<string, unknown> = {}) =>
  unsignedJwt({ ...claims, exp: Math.floor(expiresAtMs / 1000) });

/** A complete domain-access body of spec §4.1. */
export function domainBody(id: string, accessToken: string): Record<string, unknown> {
  return {
    id,
    name: `Domain ${id}`,
    organization_id: 'org-1',
    domain_server_id: 'ds-1',
    access_token: accessToken,
    owner_wallet_address: '0xabc',
    domain_server: {
      id: 'ds-1',
      organization_id: 'org-1',
      name: 'server one',
      url: 'https://ds-1.example.test',
      version: '1.2.3',
      status: 'online',
      mode: 'public',
      variants: ['default'],
      ip: '127.0.0.1',
      latitude: 1.5,
      longitude: -2.25,
      cloud_region: 'us-east-1',
    },
  };
}

/** The config the core tests use (no server behind it). */
export const testConfig = {
  apiUrl: 'https://api.example.test',
  ddsUrl: 'https://dds.example.test',
  clientId: 'test-app',
};

/** A fixed "now" for the core tests: 2026-01-01T00:00:00Z. */
export const T0 = Date.UTC(2026, 0, 1);

/** What `chain()` of test/chromium/auki.page.ts returns in every runtime, and the requests it makes, in order. */
export const CHAIN = {
  result: {
    ids: ['domain-1'],
    tokens: 1,
    second: 'domain-2',
    server: 'https://domain-2.domains.example.test',
  },
  paths: [
    '/user/login',
    '/service/domains-access-token',
    '/api/v1/domains/domain-1/auth',
    '/api/v1/domains/domain-2/auth',
  ],
};
