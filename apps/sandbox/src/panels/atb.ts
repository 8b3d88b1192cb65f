import { AgentAuthClient } from '@x/atb';
import { clockTime, type Panel, PanelActionError, type PanelRow } from '../panel.ts';
import type { SandboxAtb } from '../services/atb.ts';

const RECENT = 20;
const newestFirst = <T>(items: Iterable<T>) => [...items].reverse().slice(0, RECENT);
const text = (value: unknown) => (value === undefined || value === null ? '' : String(value));

/**
 * ATB as an approver sees it: challenges waiting for one or two approvers with an approve button per
 * approver (each approval goes to AgentAuth over HTTP with that approver's signed JWT, as a real approval
 * app would send it), the mandates (PoAs) issued, and the broker's recent decisions.
 */
export function atbPanel(atb: SandboxAtb): Panel {
  const { fake } = atb;
  const agentAuth = new AgentAuthClient({ baseUrl: fake.agentauthUrl, retry: 0 });
  return {
    id: 'atb',
    title: 'ATB: approvals and broker',
    snapshot() {
      const now = fake.clock.seconds();
      const challenges = newestFirst(fake.agentAuth.challenges.values());
      const waiting = challenges.filter(
        (ch) => ch.approvers.length < (ch.dualControl ? 2 : 1) && ch.expiresAt >= now,
      );
      return {
        facts: [
          { label: 'AgentAuth', value: fake.agentauthUrl },
          { label: 'broker (mTLS)', value: fake.brokerUrl },
          { label: 'agent', value: fake.agentSpiffeId },
          { label: 'CA', value: atb.files.caFile },
          { label: 'cert', value: atb.files.certFile },
          { label: 'key', value: atb.files.keyFile },
        ],
        lists: [
          {
            id: 'challenges',
            title: 'Challenges waiting for approval',
            columns: [
              { key: 'challenge', label: 'challenge' },
              { key: 'action', label: 'action' },
              { key: 'approvals', label: 'approvals' },
              { key: 'approvedBy', label: 'approved by' },
              { key: 'expires', label: 'expires' },
            ],
            rows: waiting.map((ch): PanelRow => {
              const needed = ch.dualControl ? 2 : 1;
              const approved = new Set(ch.approvers.map((a) => a.id.toLowerCase()));
              return {
                key: ch.id,
                cells: {
                  challenge: ch.id,
                  action: ch.act,
                  approvals: `${ch.approvers.length} of ${needed}${ch.dualControl ? ' (dual control)' : ''}`,
                  approvedBy: ch.approvers.map((a) => a.id).join(', '),
                  expires: clockTime(ch.expiresAt * 1000),
                },
                detail: JSON.stringify(
                  { agent: ch.agentSpiffeId, constraints: ch.con, legal: ch.leg },
                  null,
                  2,
                ),
                actions: atb.approvers
                  .map((approver, index) => ({ approver, index }))
                  .filter(({ approver }) => !approved.has(approver.toLowerCase()))
                  .map(({ approver, index }) => ({
                    action: `approve-${index + 1}`,
                    label: `Approve as ${approver}`,
                  })),
              };
            }),
            empty: 'No challenge is waiting. A high-risk authorize() from the SDK appears here.',
          },
          {
            id: 'mandates',
            title: 'Mandates (PoAs) issued',
            columns: [
              { key: 'mandate', label: 'PoA jti' },
              { key: 'action', label: 'action' },
              { key: 'approvers', label: 'approvers' },
              { key: 'expires', label: 'expires' },
            ],
            rows: newestFirst(fake.agentAuth.audit.filter((e) => e['event'] === 'mandate.issued')).map(
              (e): PanelRow => ({
                key: text(e['mandate_id']),
                cells: {
                  mandate: text(e['mandate_id']),
                  action: text(e['action']),
                  approvers:
                    fake.agentAuth.challenges
                      .get(text(e['challenge_id']))
                      ?.approvers.map((a) => a.id)
                      .join(', ') || text(e['approvers_count']),
                  expires: clockTime(text(e['expires_at'])),
                },
              }),
            ),
            empty: 'No mandates yet.',
          },
          {
            id: 'broker',
            title: 'Broker decisions',
            columns: [
              { key: 'time', label: 'time' },
              { key: 'decision', label: 'decision' },
              { key: 'reason', label: 'reason' },
              { key: 'action', label: 'action' },
              { key: 'request', label: 'request' },
              { key: 'poa', label: 'PoA jti' },
            ],
            rows: newestFirst(fake.broker.audit.entries()).map(
              ([index, e]): PanelRow => ({
                key: String(index),
                cells: {
                  time: clockTime(e.ts),
                  decision: e.decision,
                  reason: e.reason,
                  action: e.action,
                  request: `${e.method} ${e.path}`,
                  poa: e.poa_jti,
                },
              }),
            ),
            empty: 'Nothing went through the broker yet.',
          },
        ],
      };
    },
    async act(action, key) {
      const match = /^approve-(\d+)$/.exec(action);
      const approver = match ? atb.approvers[Number(match[1]) - 1] : undefined;
      if (!approver) throw new PanelActionError(`Unknown ATB action "${action}".`);
      const challenge = fake.agentAuth.challenges.get(key);
      if (!challenge) throw new PanelActionError(`No ATB challenge ${key}.`);
      const approverToken = await fake.signApproverToken(approver);
      try {
        const result = await agentAuth.approve(key, approver, { approverToken });
        return `${approver} approved ${key} (${result.approversCount} of ${result.approversNeeded})`;
      } catch (error) {
        throw new PanelActionError(`AgentAuth refused the approval: ${(error as Error).message}`);
      }
    },
  };
}
