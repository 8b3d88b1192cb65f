// The fakes on ports the caller picks (a long-running sandbox serves them on fixed ports).
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { clientFor, startFakeAtb } from './kit.ts';

/** A loopback port that was free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('startFakeAtb ports', () => {
  it('serves AgentAuth and the broker on the given ports, and the flow works there', async () => {
    const [agentAuthPort, brokerPort] = [await freePort(), await freePort()];
    const atb = await startFakeAtb({ agentAuthPort, brokerPort });
    const client = clientFor(atb, { lowRiskApprover: { approverId: 'policy-bot@example.com' } });
    try {
      expect(atb.agentauthUrl).toBe(`http://127.0.0.1:${agentAuthPort}`);
      expect(atb.brokerUrl).toBe(`https://127.0.0.1:${brokerPort}`);
      const read = await client.authorize(
        { verb: 'read', resource: 'logs/application' },
        { reason: 'port test' },
      );
      const result = await client.execute('GET', '/logs/application', { poa: read.token! });
      expect(result.status).toBe(200);
    } finally {
      await client.close();
      await atb.close();
    }
  });

  it('fails to start when the broker port is taken', async () => {
    const first = await startFakeAtb();
    const brokerPort = Number(new URL(first.brokerUrl).port);
    try {
      await expect(startFakeAtb({ brokerPort })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await first.close();
    }
  });
});
