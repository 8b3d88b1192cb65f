import { FileClient, InkPassClient, ValidationError } from '@x/inkpass';
import { check, type Scenario } from '../scenario.ts';

/**
 * Against the sandbox's inkPass: register a new user (the sandbox's fake "mails" the verification code, read
 * here through its verification API, as the console's "Show verification code" button does), log in, check
 * permissions with and without ABAC context, and a Den file round trip.
 */
export const inkpassScenario: Scenario = {
  title: '@x/inkpass: registration, login, fail-safe permission checks with ABAC context, and Den files',
  async run(say, { sandbox }) {
    const { url, fake } = sandbox.inkpass;
    const decisionsBefore = sandbox.inkpass.decisions.length;
    const client = new InkPassClient({ baseUrl: url, retryMinWait: 0, retryMaxWait: 0 });
    say(`sandbox inkPass on ${url}`);
    const email = 'grace@example.com';
    const password = 'SecurePassword123!';

    const refused = await client
      .register({ email, password: 'short', firstName: 'Grace', lastName: 'Hopper' })
      .catch((error: unknown) => error);
    check(ValidationError.isInstance(refused), 'a short password is refused before sending');
    say(`register with a short password → ${refused.name}: ${refused.message}`);

    const account = await client.register({ email, password, firstName: 'Grace', lastName: 'Hopper' });
    check(account.status === 'pending', 'inkPass answers the registration as pending');
    check(fake.users.get(account.userId)?.status === 'pending', 'a new registration waits for its email');
    const code = fake.verificationCode(email);
    check(code, 'the sandbox mailed a verification code');
    await client.verifyEmail(email, code);
    check(fake.users.get(account.userId)?.status === 'active', 'the verified user is active');
    const tokens = await client.login({ email, password });
    say(
      `registered ${account.email} (org ${account.organizationId.slice(0, 8)}…), pending until the mailed code ${code} verified it, logged in`,
    );

    // A developer of Grace's organisation, with one permission that only holds for project 42.
    const dev = fake.seed.user({
      email: 'dev@example.com',
      password,
      organizationId: account.organizationId,
      roleTemplate: 'developer',
    });
    const deploy = fake.seed.permission({
      organizationId: account.organizationId,
      resource: 'projects',
      action: 'deploy',
      conditions: { project_id: '42' },
    });
    fake.seed.grant(dev.id, deploy.id);
    const devToken = (await client.login({ email: dev.email, password })).accessToken;
    const rows: Array<[string, string, string, Record<string, unknown> | undefined]> = [
      ['owner', tokens.accessToken, 'billing:manage', undefined],
      ['developer', devToken, 'workflows:create', undefined],
      ['developer', devToken, 'workflows:delete', undefined],
      ['developer', devToken, 'projects:deploy', undefined],
      ['developer', devToken, 'projects:deploy', { project_id: '42' }],
      ['developer', devToken, 'projects:deploy', { project_id: '7' }],
    ];
    // What each check must answer: the role template grants workflows:create only; the seeded grant holds
    // only with project_id 42 in the context.
    const expected = [true, true, false, false, true, false];
    for (const [index, [who, token, pair, context]] of rows.entries()) {
      const [resource, action] = pair.split(':') as [string, string];
      const allowed = await client.checkPermission(token, resource, action, context);
      say(
        `${who.padEnd(9)} ${pair.padEnd(16)} ${(context ? JSON.stringify(context) : '').padEnd(18)} → ${allowed}`,
      );
      check(
        allowed === expected[index],
        `${who} ${pair} ${JSON.stringify(context ?? {})} is ${expected[index]}`,
      );
    }
    fake.faults.enqueue({ match: { path: '/api/v1/auth/check' }, status: 500 });
    const duringOutage = await new InkPassClient({
      baseUrl: url,
      maxRetries: 0,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    }).checkPermission(tokens.accessToken, 'workflows', 'view');
    check(!duringOutage, 'fail-safe: a 500 denies');
    say(`owner     workflows:view   while inkPass answers 500 → ${duringOutage} (fail-safe)`);

    const recorded = sandbox.inkpass.decisions.slice(decisionsBefore);
    check(
      recorded.length === rows.length + 1 && recorded.at(-1)?.outcome === 'error 500',
      'the console recorded every decision, the outage as an error',
    );
    say(`the console's "Last permission decisions" shows these ${recorded.length} checks`);

    const files = new FileClient({ baseUrl: url, serviceApiKey: fake.serviceApiKey });
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
    check(
      listed.files.some((f) => f.id === uploaded.id),
      'the upload is listed under its tag',
    );
    say(`listed with tag "report": ${listed.files.map((f) => f.name).join(', ')} (total ${listed.total})`);
    const { body } = await files.download(account.organizationId, uploaded.id);
    const content = await new Response(body).text();
    check(content === '# Quarterly report\n', 'download returns what was uploaded');
    say(`downloaded: ${JSON.stringify(content)}`);
    await files.delete(account.organizationId, uploaded.id, 'writer');
    const after = await files.listFiles({ orgId: account.organizationId });
    check(after.total === 0, 'deleted');
    check(fake.files.get(uploaded.id)?.status === 'deleted', 'soft-deleted in the store');
    say(`deleted; files left: ${after.total} (the console lists it as deleted)`);
    return 'registered + verified, ABAC allow and deny, outage denied, Den round trip';
  },
};
