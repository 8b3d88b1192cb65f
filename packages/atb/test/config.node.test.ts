// AtbClient.fromEnv() and construction errors: each names the option or ATB_* variable that is wrong.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtbError } from '../src/index.ts';
import { AtbClient } from '../src/node/index.ts';
import { writePemFiles } from '../src/testing/index.ts';
import { type FakeAtb, startFakeAtb } from './kit.ts';

let atb: FakeAtb;
let env: Record<string, string>;
beforeAll(async () => {
  atb = await startFakeAtb();
  const dir = mkdtempSync(join(tmpdir(), 'atb-env-'));
  const files = writePemFiles(dir, { ...atb.agent, ca: atb.caCert });
  env = {
    ATB_BROKER_URL: atb.brokerUrl,
    ATB_AGENTAUTH_URL: atb.agentauthUrl,
    ATB_CERT_FILE: files.certFile,
    ATB_KEY_FILE: files.keyFile,
    ATB_CA_FILE: files.caFile!,
    ATB_LOG_LEVEL: 'warning',
  };
});
afterAll(() => atb.close());

function configError(fn: () => unknown): AtbError {
  try {
    fn();
  } catch (error) {
    expect(AtbError.isInstance(error)).toBe(true);
    expect((error as AtbError).code).toBe('invalid_config');
    return error as AtbError;
  }
  throw new Error('expected a configuration error');
}

describe('AtbClient.fromEnv', () => {
  it('builds a working client from the ATB_* variables', async () => {
    const client = AtbClient.fromEnv(
      { ...env, ATB_TIMEOUT: '12.5', ATB_RETRY_COUNT: '1' },
      {
        lowRiskApprover: { approverId: 'policy-bot@example.com' },
        now: () => atb.clock.now(),
      },
    );
    try {
      expect(client.spiffeId).toBe(atb.agentSpiffeId);
      const poa = await client.getToken({ verb: 'read', resource: 'crm/contact' }, 'env check');
      expect((await client.execute('GET', '/crm/contacts/1', { poa })).status).toBe(200);
    } finally {
      await client.close();
    }
  });

  it.each(['ATB_BROKER_URL', 'ATB_AGENTAUTH_URL', 'ATB_CERT_FILE', 'ATB_KEY_FILE'])(
    'names a missing %s',
    (name) => {
      const { [name]: _, ...rest } = env;
      expect(configError(() => AtbClient.fromEnv(rest)).message).toContain(`${name} is not set`);
    },
  );

  it('names the variable of a file that cannot be read or is not PEM', () => {
    expect(
      configError(() => AtbClient.fromEnv({ ...env, ATB_CERT_FILE: '/nonexistent/agent.crt' })).message,
    ).toMatch(/^ATB_CERT_FILE: cannot read \/nonexistent\/agent.crt \(ENOENT\)/);
    const dir = mkdtempSync(join(tmpdir(), 'atb-bad-'));
    writeFileSync(join(dir, 'junk.pem'), 'not a pem');
    expect(
      configError(() => AtbClient.fromEnv({ ...env, ATB_CA_FILE: join(dir, 'junk.pem') })).message,
    ).toMatch(/^ATB_CA_FILE: .* is not a PEM file/);
    expect(
      configError(() => AtbClient.fromEnv({ ...env, ATB_KEY_FILE: env.ATB_CERT_FILE! })).message,
    ).toMatch(/^ATB_KEY_FILE: not a valid PEM private key/);
  });

  it('names bad URLs, timeouts, retry counts and log levels', () => {
    expect(configError(() => AtbClient.fromEnv({ ...env, ATB_BROKER_URL: 'not a url' })).message).toMatch(
      /^ATB_BROKER_URL/,
    );
    expect(
      configError(() => AtbClient.fromEnv({ ...env, ATB_BROKER_URL: 'http://broker:8080' })).message,
    ).toMatch(/^ATB_BROKER_URL must be an https: URL/);
    expect(configError(() => AtbClient.fromEnv({ ...env, ATB_AGENTAUTH_URL: 'ftp://x' })).message).toMatch(
      /^ATB_AGENTAUTH_URL/,
    );
    expect(configError(() => AtbClient.fromEnv({ ...env, ATB_TIMEOUT: 'soon' })).message).toMatch(
      /^ATB_TIMEOUT/,
    );
    expect(configError(() => AtbClient.fromEnv({ ...env, ATB_RETRY_COUNT: '-1' })).message).toMatch(
      /^ATB_RETRY_COUNT/,
    );
    expect(configError(() => AtbClient.fromEnv({ ...env, ATB_LOG_LEVEL: 'loud' })).message).toMatch(
      /^ATB_LOG_LEVEL/,
    );
  });

  it('options name themselves when used directly', () => {
    expect(
      configError(
        () =>
          new AtbClient({
            brokerUrl: atb.brokerUrl,
            agentauthUrl: atb.agentauthUrl,
            certFile: '/nope.crt',
            key: atb.agent.key,
          }),
      ).message,
    ).toMatch(/^certFile: cannot read/);
    expect(
      configError(
        () =>
          new AtbClient({ brokerUrl: atb.brokerUrl, agentauthUrl: atb.agentauthUrl, cert: atb.agent.cert }),
      ).message,
    ).toMatch(/^keyFile is required/);
    const base = {
      brokerUrl: atb.brokerUrl,
      agentauthUrl: atb.agentauthUrl,
      cert: atb.agent.cert,
      key: atb.agent.key,
    };
    expect(configError(() => new AtbClient({ ...base, retry: 1.5 })).message).toMatch(
      /^retry must be a whole number/,
    );
    expect(configError(() => new AtbClient({ ...base, retryCount: 2 } as never)).message).toMatch(
      /retryCount is called retry here/,
    );
    // The one retry shape of the SDKs: a count, false or http-core's RetryOptions.
    expect(new AtbClient({ ...base, retry: false })).toBeInstanceOf(AtbClient);
    expect(new AtbClient({ ...base, retry: { limit: 1, baseDelay: 10 } })).toBeInstanceOf(AtbClient);
  });
});
