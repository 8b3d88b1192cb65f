// Moving from the upstream SDKs: platform-connector action names (`calendar:create`) mapped to the dotted ids
// the broker knows, and the `X-Audit-ID` the upstream SDKs read from broker answers, over real mTLS.
import { startTestServer, type TestServer } from '@x/http-core/testing';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtbError, platformAction } from '../src/index.ts';
import { useFakeAtb } from './kit.ts';

describe('platformAction', () => {
  it('maps each platform’s names through its table, in either spelling and any case', () => {
    expect(platformAction('salesforce', 'opportunity:update')).toBe('crm.opportunity.update');
    expect(platformAction('salesforce', 'opportunity.update')).toBe('crm.opportunity.update');
    expect(platformAction('salesforce', 'Case:Escalate')).toBe('support.case.escalate');
    expect(platformAction('copilot', 'dynamics.vendor.bank_change')).toBe('erp.vendor.bank_change');
    expect(platformAction('copilot', 'graph.mail.send')).toBe('comms.email.send');
    expect(platformAction('sap', 'vendor:bank_change')).toBe('sap.vendor.bank_change');
    expect(platformAction('sap', 'employee:read')).toBe('sap.hcm.employee.read');
  });

  it('gives a name outside the table the platform’s prefix, as the upstream connectors do', () => {
    expect(platformAction('copilot', 'calendar:create')).toBe('copilot.calendar.create');
    expect(platformAction('salesforce', 'report:export')).toBe('salesforce.report.export');
    expect(platformAction('sap', 'purchase_order:approve')).toBe('sap.purchase_order.approve');
  });

  it('refuses unknown platforms and names that are not object:verb words with invalid_input', () => {
    const refused = (platform: string, name: unknown) => {
      try {
        platformAction(platform as 'sap', name as string);
      } catch (error) {
        expect(AtbError.isInstance(error)).toBe(true);
        return (error as AtbError).code;
      }
      return 'accepted';
    };
    for (const name of ['calendar', 'calendar:', ':create', 'a b:c', '../x:y', 'a:b/c', 'a::b', '', 42])
      expect(refused('copilot', name), String(name)).toBe('invalid_input');
    for (const platform of ['slack', '__proto__', 'toString', 'constructor'])
      expect(refused(platform, 'calendar:create'), platform).toBe('invalid_input');
  });
});

let audited: TestServer;
beforeAll(async () => {
  // A service behind the broker that stamps its answers with an audit id, as the upstream SDKs expect.
  audited = await startTestServer(
    new Hono().get('*', (c) => c.json({ ok: true }, 200, { 'X-Audit-ID': 'aud_abc123' })),
  );
});
afterAll(async () => {
  await audited?.close();
});

const env = useFakeAtb(() => ({ connectors: { audited: { upstreamUrl: audited.url } } }));

describe('platform actions through the broker', () => {
  it('a mapped platform action gets a PoA for the dotted id and passes the broker', async () => {
    const { atb, client } = env();
    const action = platformAction('copilot', 'dynamics.contact.read');
    const poa = await client.getToken(action, 'read a contact for the copilot');
    expect(poa.claims.act).toBe('crm.contact.read');
    const result = await client.execute('GET', '/crm/contacts/7', { poa });
    expect(result.status).toBe(200);
    expect(atb.broker.audit.at(-1)).toMatchObject({ action: 'crm.contact.read', decision: 'allow' });
  });

  it('surfaces X-Audit-ID as auditId when the answer has one; the broker alone sets none', async () => {
    const { client } = env();
    const read = { verb: 'read', resource: 'crm/contact' };
    const stamped = await client.execute('GET', '/crm/contacts/1', {
      poa: await client.getToken(read, 'audited read'),
      connector: 'audited',
    });
    expect(stamped.auditId).toBe('aud_abc123');
    const plain = await client.execute('GET', '/crm/contacts/1', {
      poa: await client.getToken(read, 'plain read'),
    });
    expect(plain.auditId).toBeUndefined();
    expect('auditId' in plain).toBe(false);
  });
});
