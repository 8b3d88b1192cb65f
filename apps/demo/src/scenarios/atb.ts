import { randomUUID } from 'node:crypto';
import { BrokerRefused, TokenExpired, verifyPoAToken } from '@x/atb';
import { AtbClient } from '@x/atb/node';
import { driveConsole } from '../console.ts';
import { check, type Scenario } from '../scenario.ts';

const MINUTE = 60_000;

/**
 * An agent with the sandbox's mTLS certificate files: a low-risk action allowed and executed, a high-risk one
 * waiting for two approvers (approved with the console's buttons) then executed, and a tampered and an
 * expired token refused.
 */
export const atbScenario: Scenario = {
  title: '@x/atb: PoA tokens from AgentAuth, calls through the mTLS broker, dual control, tamper and expiry',
  async run(say, { sandbox }) {
    const { fake, files } = sandbox.atb;
    const agent = (now?: () => number) =>
      new AtbClient({
        brokerUrl: fake.brokerUrl,
        agentauthUrl: fake.agentauthUrl,
        certFile: files.certFile,
        keyFile: files.keyFile,
        caFile: files.caFile,
        lowRiskApprover: { approverId: 'policy-bot@sandbox.example.com' },
        logLevel: 'silent',
        ...(now ? { now } : {}),
      });
    const client = agent();
    const brokerSaw = fake.broker.audit.length;
    const consoleDriver = driveConsole(sandbox.console.url);
    try {
      say(`agent ${client.spiffeId} (from ${files.certFile}), broker ${fake.brokerUrl} over mTLS`);

      const read = await client.authorize(
        { verb: 'read', resource: 'crm/contact' },
        { reason: 'Look up a customer' },
      );
      check(read.allowed && read.token, 'low-risk action allowed');
      const result = await client.execute('GET', '/crm/contacts/42', { poa: read.token });
      check(result.status === 200, 'the broker forwarded the low-risk call');
      say(`low risk: allowed (${read.decisionId.slice(0, 12)}…), broker forwarded GET → ${result.status}`);

      const pay = { verb: 'execute', resource: 'sap/payment', parameters: { amount: 2500 } };
      const pending = await client.authorize(pay, { reason: 'Pay invoice 42' });
      check(pending.requiresApproval && pending.approvalRequest, 'high-risk action waits');
      const { challengeId, approversNeeded } = pending.approvalRequest;
      check(approversNeeded === 2, 'dual control: two approvers');
      say(`high risk: waiting for ${approversNeeded} approvers on ${challengeId}`);
      const approved = client.waitForApproval(challengeId, { intervalMs: 100 });

      // The approvers press the console's buttons; the console sends each approval to AgentAuth with that
      // approver's signed JWT.
      const waiting = await consoleDriver.list('atb', 'challenges');
      const row = waiting.rows.find((r) => r.key === challengeId);
      check(row, 'the console lists the challenge');
      say(`console: "${row.cells['action']}" ${row.cells['approvals']}`);
      const [first, second] = sandbox.atb.approvers;
      for (const [index, approver] of [first, second].entries()) {
        const action = `approve-${index + 1}`;
        check(
          (await consoleDriver.list('atb', 'challenges')).rows
            .find((r) => r.key === challengeId)
            ?.actions?.some((a) => a.action === action),
          `the console offers "Approve as ${approver}"`,
        );
        say(`console: ${await consoleDriver.press('atb', action, challengeId)}`);
      }
      const status = await approved;
      check(status.fullyApproved && status.approversCount === 2, 'both approvals recorded');
      const mandate = await client.authorize(pay, { reason: 'Pay invoice 42', challengeId });
      check(mandate.token, 'mandate after two approvals');
      const approvers = (mandate.token.claims.leg as { dual_control?: { approvers?: { id: string }[] } })
        .dual_control?.approvers;
      check(
        approvers?.map((a) => a.id).join() === `${first},${second}`,
        'the PoA names both approvers (dual control)',
      );
      const paid = await client.execute('POST', '/sap/payments', {
        poa: mandate.token,
        body: { amount: 2500 },
      });
      check(paid.status === 200, 'the payment went through the broker');
      say(`the PoA names ${first} and ${second} (dual control); payment executed → ${paid.status}`);

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
      say(
        `tampered token (act edited to iam.role.assign): broker refused it (${refused.status} ${refused.reason})`,
      );

      // Expiry. The sandbox follows the wall clock and its PoAs live 300 s, so nothing here waits for one to
      // lapse. First the client's own check: an agent whose clock is 6 minutes ahead holds the fresh PoA.
      say('expiry: sandbox PoAs live 300 s on the wall clock; rather than wait, the agent clocks are moved:');
      const before = fake.broker.audit.length;
      const ahead = agent(() => Date.now() + 6 * MINUTE);
      const expired = await ahead
        .execute('GET', '/crm/contacts/42', { poa: fresh })
        .catch((e: unknown) => e)
        .finally(() => ahead.close());
      check(TokenExpired.isInstance(expired), 'an expired token is refused before sending');
      check(fake.broker.audit.length === before, 'nothing reached the broker');
      say(
        `  agent clock +6 min, fresh PoA: TokenExpired (expired at ${expired.expiredAt.toISOString()}), nothing sent`,
      );

      // Then the broker's check, which must not trust the agent's clock: a mandate AgentAuth signed 6 minutes
      // ago (its signing key dates it back, since the sandbox clock cannot be turned back), sent by an agent
      // whose clock lags 10 minutes and so believes the mandate is still good.
      const issuedAt = Math.floor(Date.now() / 1000) - 360;
      // The fresh mandate's claims, re-dated: only iat, exp and jti differ from what AgentAuth issued.
      const backdated = await fake.agentAuth.sign({
        ...fresh.claims,
        iat: issuedAt,
        exp: issuedAt + (fresh.claims.exp - fresh.claims.iat),
        jti: `poa_${randomUUID()}`,
      });
      const lagging = () => Date.now() - 10 * MINUTE;
      const stale = await verifyPoAToken(backdated, {
        jwks: await client.agentAuth.jwks(),
        expectedSubject: client.spiffeId,
        now: lagging(),
      });
      const behind = agent(lagging);
      const late = await behind
        .execute('GET', '/crm/contacts/42', { poa: stale })
        .catch((e: unknown) => e)
        .finally(() => behind.close());
      const audit = fake.broker.audit.at(-1);
      check(
        BrokerRefused.isInstance(late) &&
          late.check === 'invalid_poa' &&
          audit?.reason === 'poa_invalid:expired',
        'the broker refuses an expired PoA whatever the agent clock says',
      );
      say(
        `  a PoA signed with the sandbox AgentAuth's own key, dated 6 min back (as it issued it then; expired ${Math.floor(Date.now() / 1000) - stale.claims.exp} s ago), sent by an agent whose clock lags 10 min`,
      );
      say(`  → ${late.status} ${late.reason}; the broker's audit says ${audit.reason}`);

      const decisions = fake.broker.audit.slice(brokerSaw).map((e) => e.decision);
      say(`broker decisions (the console's "Broker decisions"): ${decisions.join(', ')}`);
      return 'low risk allowed, dual control via console, tampered + expired refused';
    } finally {
      await client.close();
    }
  },
};
