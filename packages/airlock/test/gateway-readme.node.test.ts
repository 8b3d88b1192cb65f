// The README's further gateway quick starts (PAT and app credentials, claiming a code, submit and wait), each
// run as written in a child Node process against the fake gateway. Only these changes are made to a snippet:
// the client gets the fake's base URL, placeholders ('airpat_…', 'ABCD-1234') get real values, and a prelude
// defines what the snippet assumes (client, signal, encryptionKey, routingToken, run).
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const dir = new URL('..', import.meta.url).pathname;
const readme = readFileSync(join(dir, 'README.md'), 'utf8');

function snippet(heading: string): string {
  const start = readme.indexOf(`### ${heading}\n`);
  if (start < 0) throw new Error(`README has no "### ${heading}"`);
  const match = /```ts\n([\s\S]*?)```/.exec(readme.slice(start));
  if (!match?.[1]) throw new Error(`"${heading}" has no ts block`);
  return match[1];
}

const imports = `import { AirlockGatewayClient, isApproved, startPairing } from '@x/airlock';
import { startFakeGateway } from '@x/airlock/testing';
`;

function run(name: string, code: string): Promise<string> {
  mkdirSync(join(dir, '.tmp'), { recursive: true });
  const file = join(dir, '.tmp', `readme-${name}.ts`);
  writeFileSync(file, code);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--conditions=@x/source', '--import', 'tsx', file],
      { cwd: dir, timeout: 60_000 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
}

const withFakeUrl = (code: string) =>
  code.replaceAll('new AirlockGatewayClient({', 'new AirlockGatewayClient({ baseUrl: gateway.url,');

it('"With a Personal Access Token and app credentials" runs', async () => {
  const code = withFakeUrl(snippet('With a Personal Access Token and app credentials')).replace(
    "'airpat_…'",
    "'airpat_readme'",
  );
  const out = await run(
    'pat',
    `${imports}
process.env.AIRLOCK_CLIENT_SECRET = 'app-secret';
const gateway = await startFakeGateway({
  pats: ['airpat_readme'],
  apps: [{ clientId: 'my-enforcer-app', clientSecret: 'app-secret' }],
});
try {
${code}
  const sent = gateway.recorder.requests.at(-1)!.headers;
  console.log(\`consent=\${consent} pat=\${sent['x-pat']} id=\${sent['x-client-id']} after=\${JSON.stringify(client.credentials)}\`);
} finally {
  await gateway.close();
}
`,
  );
  expect(out).toContain('consent=approved pat=airpat_readme id=my-enforcer-app');
  expect(out).toContain('"pat":false');
});

it('"Claiming a code from the mobile app" runs', async () => {
  const code = snippet('Claiming a code from the mobile app').replace("'ABCD-1234'", 'code');
  const out = await run(
    'claim',
    `${imports}
const gateway = await startFakeGateway({ pats: ['airpat_readme'] });
try {
  const client = new AirlockGatewayClient({ baseUrl: gateway.url, pat: 'airpat_readme' });
  const signal = AbortSignal.timeout(30_000);
  const code = gateway.preGeneratePairingCode();
${code}
  const fake = gateway.pairings.get(pairing.pairingNonce)!;
  console.log(\`same token: \${fake.routingToken === routingToken}, same key: \${fake.encryptionKey === encryptionKey}\`);
} finally {
  await gateway.close();
}
`,
  );
  expect(out).toContain('same token: true, same key: true');
});

it('"Submit and wait" runs', async () => {
  const code = snippet('Submit and wait');
  const out = await run(
    'submit',
    `${imports}
const gateway = await startFakeGateway({
  pats: ['airpat_readme'],
  autoCompletePairing: true,
  autoDecide: () => ({ decision: 'approve', delayMs: 300 }),
});
try {
  const client = new AirlockGatewayClient({
    baseUrl: gateway.url,
    pat: 'airpat_readme',
    signerPublicKey: gateway.signerPublicKey,
  });
  const signal = AbortSignal.timeout(30_000);
  const pending = await startPairing(client, { enforcerId: 'enf-1', deviceId: 'dev-1' });
  const { routingToken, encryptionKey } = await pending.waitForCompletion();
  let ran = false;
  const run = () => {
    ran = true;
  };
${code}
  console.log(\`ran=\${ran} acks=\${gateway.acks.length} approved=\${gateway.exchanges.get(requestId)?.state}\`);
} finally {
  await gateway.close();
}
`,
  );
  expect(out).toContain('ran=true acks=1 approved=Approved');
});
