// Runs inside Bun, Deno or workerd (bundled by @x/tooling/runtimes, driven by ../tokens.runtimes.test.ts): app
// tokens (jose, loaded on first use) and the internal proxy from the package's main entry, against a platform
// API the Node test serves on loopback.
import {
  ArtifactGatewayError,
  InternalProxy,
  issueAppToken,
  scopeFromRole,
  validateAppToken,
} from '../../src/index.ts';

/** Issues an app token, validates it, refuses a tampered one, then calls the platform API through the proxy. */
export async function roundTrip(platformUrl: string) {
  const secretKey = 'a-secret-of-at-least-32-bytes-for-hs256!';
  const scope = scopeFromRole('member');
  const token = await issueAppToken({
    secretKey,
    userId: 'u-1',
    accountId: 'acc-1',
    context: 'lab_session:s-1',
    scope,
  });
  const claims = await validateAppToken({ token, secretKey });
  const tampered = await validateAppToken({ token: `${token.slice(0, -2)}xx`, secretKey }).then(
    () => 'accepted',
    (error) => (ArtifactGatewayError.isInstance(error) ? error.code : String(error)),
  );
  const proxy = new InternalProxy({ baseUrl: platformUrl });
  const response = await proxy.call({
    scope: claims.scope,
    userJwt: 'platform-jwt',
    path: '/api/agent/list',
  });
  const refused = await proxy
    .call({ scope: claims.scope, userJwt: 'platform-jwt', path: '/api/admin/users' })
    .then(
      () => 'sent',
      (error) => (ArtifactGatewayError.isInstance(error) ? error.code : String(error)),
    );
  return { userId: claims.userId, sessionId: claims.sessionId, tampered, response, refused };
}
