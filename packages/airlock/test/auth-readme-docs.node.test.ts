// Runs the code blocks of the README's "## Auth client" section as a user would: each in a child Node
// process importing '@x/airlock', against the fake identity provider. The only edit is the realm URL; the
// user's part (approving the device code, signing in in the browser) is played from here, reading what the
// snippet prints. Until the section is written the README holds a placeholder and this file has nothing to run.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeOidcProvider, OidcFakeClock, startFakeOidcProvider } from '../src/testing/index.ts';

const packageDir = new URL('..', import.meta.url).pathname;
const REALM = 'https://auth.airlocks.io/realms/airlock';

function authSection(): string | undefined {
  const text = readFileSync(join(packageDir, 'README.md'), 'utf8');
  const start = text.search(/^## Auth client\s*$/m);
  if (start < 0) return undefined;
  const rest = text.slice(start + 3);
  const end = rest.search(/^## /m);
  return end < 0 ? rest : rest.slice(0, end);
}

const section = authSection() ?? '';
const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);

/** The fake's clock following real time, since the snippet's client uses the real clock. */
class RealClock extends OidcFakeClock {
  override now(): number {
    return Date.now();
  }
}

/** Runs `code` in a child process; `onLine` sees each line it prints. Resolves with everything printed. */
function run(
  name: string,
  code: string,
  env: Record<string, string>,
  onLine: (line: string) => void = () => {},
) {
  const dir = join(packageDir, '.tmp');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `readme-auth-${name}.ts`);
  writeFileSync(file, code);
  return new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@x/source', '--import', 'tsx', file], {
      cwd: packageDir,
      env: { ...process.env, ...env },
    });
    let out = '';
    let err = '';
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) onLine(line);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk;
    });
    const timer = setTimeout(() => child.kill(), 40_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`snippet ${name} failed (exit ${code}):\n${err}\n${out}`));
    });
  });
}

let idp: FakeOidcProvider | undefined;
afterEach(async () => {
  await idp?.close();
  idp = undefined;
});

describe('README "Auth client" snippets, as written', () => {
  it('the section has its code blocks', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4);
  });

  it('the device login quick start signs in, and the next run finds the session in the file', async () => {
    const snippet = blocks.find((b) => b.includes('.login(') && b.includes('FileTokenStore'));
    expect(snippet, 'a device login quick start with FileTokenStore').toBeDefined();
    idp = await startFakeOidcProvider({ clock: new RealClock() });
    const home = mkdtempSync(join(tmpdir(), 'airlock-readme-home-'));
    try {
      const code = `${snippet!.replaceAll(REALM, idp.realmUrl)}\nconsole.log('token:', await auth.getAccessToken());\n`;
      const prompts: string[] = [];
      const out = await run('device', code, { HOME: home, USERPROFILE: home }, (line) => {
        const match = /^Open (\S+) and enter (\S+)$/.exec(line);
        if (match) {
          prompts.push(line);
          idp!.approveDevice(match[2]!); // the user, on their phone
        }
      });
      expect(prompts).toHaveLength(1);
      const token = /^token: (\S+)$/m.exec(out)?.[1];
      expect(await idp.verifyAccessToken(token!)).toMatchObject({ sub: 'user-1' });

      const again = await run('device', code, { HOME: home, USERPROFILE: home });
      expect(again).not.toMatch(/^Open /m);
      expect(/^token: (\S+)$/m.exec(again)?.[1]).toBe(token);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 60_000);

  it('the loopback quick start signs in through the browser', async () => {
    const snippet = blocks.find((b) => b.includes('loginWithAuthCode('));
    expect(snippet, 'a loopback quick start').toBeDefined();
    idp = await startFakeOidcProvider();
    let browser: Promise<{ status: number }> | undefined;
    const code = `${snippet!.replaceAll(REALM, idp.realmUrl)}\nconsole.log('token:', token);\n`;
    const out = await run('loopback', code, {}, (line) => {
      const url = /(https?:\/\/\S+\/protocol\/openid-connect\/auth\?\S+)/.exec(line)?.[1];
      if (url) browser = idp!.completeAuthorization(url);
    });
    expect((await browser!).status).toBe(200);
    const token = /^token: (\S+)$/m.exec(out)?.[1];
    expect(await idp.verifyAccessToken(token!)).toBeTruthy();
  }, 60_000);

  it('the testing snippet runs as is', async () => {
    const snippet = blocks.find((b) => b.includes('startFakeOidcProvider('));
    expect(snippet, 'a snippet using the fake provider').toBeDefined();
    const out = await run('testing', `${snippet}\nconsole.log('claims:', JSON.stringify(claims));\n`, {});
    expect(JSON.parse(/^claims: (.+)$/m.exec(out)![1]!)).toMatchObject({ sub: 'user-1' });
  }, 60_000);
});
