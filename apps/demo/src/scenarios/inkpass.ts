import { FileClient, InkPassClient, ValidationError } from '@x/inkpass';
import { startFakeInkPass } from '@x/inkpass/testing';
import { check, type Scenario } from '../scenario.ts';

/** Register, log in, check permissions with and without ABAC context, and a Den file round trip. */
export const inkpassScenario: Scenario = {
  title: '@x/inkpass: login, fail-safe permission checks with ABAC context, and Den files, against the fake',
  async run(say) {
    const inkpass = await startFakeInkPass();
    try {
      const client = new InkPassClient({ baseUrl: inkpass.url, retryMinWait: 0, retryMaxWait: 0 });
      const email = 'grace@example.com';
      const password = 'SecurePassword123!';

      const refused = await client
        .register({ email, password: 'short', firstName: 'Grace', lastName: 'Hopper' })
        .catch((error: unknown) => error);
      check(ValidationError.isInstance(refused), 'a short password is refused before sending');
      say(`register with a short password → ${refused.name}: ${refused.message}`);

      const account = await client.register({ email, password, firstName: 'Grace', lastName: 'Hopper' });
      await client.verifyEmail(email, inkpass.verificationCode(email)!);
      const tokens = await client.login({ email, password });
      say(`registered ${account.email} (org ${account.organizationId.slice(0, 8)}…), verified, logged in`);

      // A developer of Grace's organisation, with one permission that only holds for project 42.
      const dev = inkpass.seed.user({
        email: 'dev@example.com',
        password,
        organizationId: account.organizationId,
        roleTemplate: 'developer',
      });
      const deploy = inkpass.seed.permission({
        organizationId: account.organizationId,
        resource: 'projects',
        action: 'deploy',
        conditions: { project_id: '42' },
      });
      inkpass.seed.grant(dev.id, deploy.id);
      const devToken = (await client.login({ email: dev.email, password })).accessToken;
      const rows: Array<[string, string, string, Record<string, unknown> | undefined]> = [
        ['owner', tokens.accessToken, 'billing:manage', undefined],
        ['developer', devToken, 'workflows:create', undefined],
        ['developer', devToken, 'workflows:delete', undefined],
        ['developer', devToken, 'projects:deploy', undefined],
        ['developer', devToken, 'projects:deploy', { project_id: '42' }],
        ['developer', devToken, 'projects:deploy', { project_id: '7' }],
      ];
      for (const [who, token, pair, context] of rows) {
        const [resource, action] = pair.split(':') as [string, string];
        const allowed = await client.checkPermission(token, resource, action, context);
        say(
          `${who.padEnd(9)} ${pair.padEnd(16)} ${(context ? JSON.stringify(context) : '').padEnd(18)} → ${allowed}`,
        );
      }
      inkpass.faults.enqueue({ match: { path: '/api/v1/auth/check' }, status: 500 });
      const duringOutage = await new InkPassClient({
        baseUrl: inkpass.url,
        maxRetries: 0,
        logger: { debug() {}, info() {}, warn() {}, error() {} },
      }).checkPermission(tokens.accessToken, 'workflows', 'view');
      check(!duringOutage, 'fail-safe: a 500 denies');
      say(`owner     workflows:view   while inkPass answers 500 → ${duringOutage} (fail-safe)`);

      const files = new FileClient({ baseUrl: inkpass.url, serviceApiKey: inkpass.serviceApiKey });
      const uploaded = await files.upload({
        orgId: account.organizationId,
        workflowId: 'wf-demo',
        agentId: 'writer',
        data: new TextEncoder().encode('# Quarterly report\n'),
        filename: 'report.md',
        contentType: 'text/markdown',
        tags: ['report'],
      });
      say(
        `uploaded ${uploaded.name}: ${uploaded.sizeBytes} bytes, sha256 ${uploaded.checksumSha256!.slice(0, 12)}…`,
      );
      const listed = await files.listFiles({ orgId: account.organizationId, tags: ['report'] });
      say(`listed with tag "report": ${listed.files.map((f) => f.name).join(', ')} (total ${listed.total})`);
      const { body } = await files.download(account.organizationId, uploaded.id);
      const content = await new Response(body).text();
      check(content === '# Quarterly report\n', 'download returns what was uploaded');
      say(`downloaded: ${JSON.stringify(content)}`);
      await files.delete(account.organizationId, uploaded.id, 'writer');
      const after = await files.listFiles({ orgId: account.organizationId });
      check(after.total === 0, 'deleted');
      say(`deleted; files left: ${after.total}`);
      return 'ABAC allow and deny as granted, outage denied, Den round trip';
    } finally {
      await inkpass.close();
    }
  },
};
