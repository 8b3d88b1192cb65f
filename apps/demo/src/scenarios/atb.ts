import { BrokerRefused, TokenExpired } from '@x/atb';
import { AtbClient } from '@x/atb/node';
import { startFakeAtb } from '@x/atb/testing';
import { check, type Scenario } from '../scenario.ts';

/**
 * An agent with an mTLS certificate: a low-risk action allowed and executed, a high-risk one waiting for two
 * approvers then executed, and a tampered and an expired token refused.
 */
export const atbScenario: Scenario = {
  title: '@x/atb: PoA tokens from AgentAuth, calls through the mTLS broker, dual control, tamper and expiry',
  async run(say) {
    const atb = await startFakeAtb();
    const client = new AtbClient({
      ...atb.clientOptions(),
      lowRiskApprover: { approverId: 'policy-bot@example.com' },
      logLevel: 'silent',
    });
    try {
      say(`agent ${client.spiffeId} (from its certificate), broker ${atb.brokerUrl} over mTLS`);

      const read = await client.authorize(
        { verb: 'read', resource: 'crm/contact' },
        { reason: 'Look up a customer' },
      );
      check(read.allowed && read.token, 'low-risk action allowed');
      const result = await client.execute('GET', '/crm/contacts/42', { poa: read.token });
      say(`low risk: allowed (${read.decisionId.slice(0, 8)}…), broker forwarded GET → ${result.status}`);

      const pay = { verb: 'execute', resource: 'sap/payment', parameters: { amount: 2500 } };
      const pending = await client.authorize(pay, { reason: 'Pay invoice 42' });
      check(pending.requiresApproval && pending.approvalRequest, 'high-risk action waits');
      const { challengeId, approversNeeded } = pending.approvalRequest;
      say(`high risk: waiting for ${approversNeeded} approvers on ${challengeId.slice(0, 10)}…`);
      await client.approve(challengeId, 'alice@example.com');
      await client.approve(challengeId, 'bob@example.com', {
        approverToken: await atb.signApproverToken('bob@example.com'),
      });
      await client.waitForApproval(challengeId);
      const approved = await client.authorize(pay, { reason: 'Pay invoice 42', challengeId });
      check(approved.token, 'mandate after two approvals');
      const paid = await client.execute('POST', '/sap/payments', {
        poa: approved.token,
        body: { amount: 2500 },
      });
      say(`approved by alice and bob (dual control in the PoA), payment executed → ${paid.status}`);

      const fresh = await client.getToken({ verb: 'read', resource: 'crm/contact' }, 'Second look');
      const [h, p, s] = fresh.token.split('.');
      const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
      claims.act = 'iam.role.assign';
      const tampered = {
        ...fresh,
        token: `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`,
      };
      const refused = await client
        .execute('GET', '/crm/contacts/42', { poa: tampered })
        .catch((e: unknown) => e);
      check(BrokerRefused.isInstance(refused) && refused.check === 'invalid_poa', 'tampered token refused');
      say(`tampered token: broker refused it (${refused.status} ${refused.reason})`);

      atb.clock.advance(301_000);
      const expired = await client
        .execute('GET', '/crm/contacts/42', { poa: fresh })
        .catch((e: unknown) => e);
      check(TokenExpired.isInstance(expired), 'expired token refused before sending');
      say(`expired token: TokenExpired (expired at ${expired.expiredAt.toISOString()}), nothing sent`);
    } finally {
      await client.close();
      await atb.close();
    }
  },
};
