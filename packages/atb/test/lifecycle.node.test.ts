// Everything that holds sockets closes once however often close is called, and with `await using`.
import { describe, expect, it } from 'vitest';
import { AtbClient } from '../src/node/index.ts';
import { startFakeAtb } from '../src/testing/index.ts';

describe('lifecycle', () => {
  it('the fakes and the mTLS client close idempotently and with await using', async () => {
    let brokerUrl: string;
    {
      await using atb = await startFakeAtb();
      await using client = new AtbClient({
        ...atb.clientOptions(),
        logLevel: 'silent',
        lowRiskApprover: { approverId: 'policy-bot@example.com' },
      });
      brokerUrl = atb.broker.url;
      const poa = await client.getToken({ verb: 'read', resource: 'crm/contact' }, 'lifecycle');
      expect((await client.execute('GET', '/crm/contacts/1', { poa })).status).toBe(200);
      const first = client.close();
      expect(client.close()).toStrictEqual(first);
      await first;
      await client.close();
    }
    await expect(fetch(`${brokerUrl}/health`)).rejects.toThrow();
  });
});
