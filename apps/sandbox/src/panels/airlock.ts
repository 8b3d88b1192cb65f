import type { FakeGateway, FakeOidcProvider } from '@x/airlock/testing';
import { clockTime, type Panel, PanelActionError, type PanelRow } from '../panel.ts';

const RECENT = 20;
const newestFirst = <T>(items: Iterable<T>) => [...items].reverse().slice(0, RECENT);
const reasonInput = [{ name: 'reason', label: 'Reason', placeholder: 'why (sent to the enforcer)' }];

/** JSON pretty-printed for the approver; anything else as it came. */
function readable(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/**
 * The approver's view of the fake Airlock gateway and its identity provider: pairing requests with their
 * codes, artifacts decrypted with the approver's key, decisions, and device sign-ins waiting for a user.
 */
export function airlockPanel(gateway: FakeGateway, idp: FakeOidcProvider): Panel {
  return {
    id: 'airlock',
    title: 'Airlock: approvals',
    snapshot() {
      const exchanges = newestFirst(gateway.exchanges.values());
      const pending = exchanges.filter((e) => !e.decision && e.state === 'PendingApproval');
      const decided = exchanges.filter((e) => e.decision || e.state !== 'PendingApproval');
      return {
        facts: [
          { label: 'gateway', value: gateway.url },
          { label: 'identity provider', value: idp.realmUrl },
          { label: 'decision signer key', value: gateway.signerPublicKey },
        ],
        lists: [
          {
            id: 'pending',
            title: 'Artifacts waiting for a decision',
            columns: [
              { key: 'requestId', label: 'request' },
              { key: 'label', label: 'label' },
              { key: 'enforcer', label: 'enforcer' },
              { key: 'hash', label: 'hash check' },
              { key: 'submitted', label: 'submitted' },
            ],
            rows: pending.map(
              (e): PanelRow => ({
                key: e.requestId,
                cells: {
                  requestId: e.requestId,
                  label: e.metadata['requestLabel'] ?? '',
                  enforcer: e.enforcerId,
                  hash: e.plaintext === undefined ? 'not decrypted' : e.hashMatches ? 'matches' : 'MISMATCH',
                  submitted: clockTime(e.createdAt),
                },
                detail:
                  e.plaintext === undefined
                    ? `cannot decrypt: ${e.decryptionError ?? 'no pairing key'}`
                    : readable(e.plaintext),
                actions: [
                  { action: 'approve', label: 'Approve', inputs: reasonInput },
                  { action: 'reject', label: 'Reject', inputs: reasonInput, danger: true },
                ],
              }),
            ),
            empty: 'Nothing to decide. Submit an artifact with the SDK and it appears here.',
          },
          {
            id: 'pairings',
            title: 'Pairings',
            columns: [
              { key: 'code', label: 'code' },
              { key: 'state', label: 'state' },
              { key: 'enforcer', label: 'enforcer' },
              { key: 'device', label: 'device' },
              { key: 'workspace', label: 'workspace' },
            ],
            rows: newestFirst(gateway.pairings.values()).map(
              (p): PanelRow => ({
                key: p.pairingNonce,
                cells: {
                  code: p.pairingCode,
                  state: p.state,
                  enforcer: p.enforcerLabel ? `${p.enforcerLabel} (${p.enforcerId})` : p.enforcerId,
                  device: p.deviceId,
                  workspace: p.workspaceName ?? '',
                },
                actions:
                  p.state === 'Pending'
                    ? [{ action: 'complete-pairing', label: 'Accept pairing' }]
                    : p.state === 'Completed'
                      ? [{ action: 'revoke-pairing', label: 'Revoke', danger: true }]
                      : [],
              }),
            ),
            empty: 'No pairings yet.',
          },
          {
            id: 'decided',
            title: 'Decided and closed',
            columns: [
              { key: 'requestId', label: 'request' },
              { key: 'state', label: 'state' },
              { key: 'decision', label: 'decision' },
              { key: 'reason', label: 'reason' },
              { key: 'acks', label: 'acks' },
            ],
            rows: decided.map(
              (e): PanelRow => ({
                key: e.requestId,
                cells: {
                  requestId: e.requestId,
                  state: e.state,
                  decision: e.decision?.body?.decision ?? '',
                  reason: e.decision?.body?.reason ?? '',
                  acks: String(e.acks.length),
                },
              }),
            ),
            empty: 'No decisions yet.',
          },
          {
            id: 'devices',
            title: 'Device sign-ins',
            columns: [
              { key: 'userCode', label: 'user code' },
              { key: 'status', label: 'status' },
              { key: 'polls', label: 'polls' },
              { key: 'expires', label: 'expires' },
            ],
            rows: newestFirst(idp.deviceAuthorizations).map(
              (d): PanelRow => ({
                key: d.userCode,
                cells: {
                  userCode: d.userCode,
                  status: d.status,
                  polls: String(d.polls),
                  expires: clockTime(d.expiresAt),
                },
                actions:
                  d.status === 'pending'
                    ? [
                        { action: 'approve-device', label: 'Sign in' },
                        { action: 'deny-device', label: 'Deny', danger: true },
                      ]
                    : [],
              }),
            ),
            empty: 'No device sign-ins.',
          },
        ],
      };
    },
    async act(action, key, inputs) {
      switch (action) {
        case 'approve':
        case 'reject': {
          const exchange = gateway.exchanges.get(key);
          if (!exchange || exchange.decision)
            throw new PanelActionError(`Request ${key} is not waiting for a decision.`);
          const reason = inputs['reason']?.trim() || (action === 'approve' ? 'Approved' : 'Rejected');
          await gateway.decide(key, { decision: action, reason });
          return `${action === 'approve' ? 'Approved' : 'Rejected'} ${key} ("${reason}"), signed`;
        }
        case 'complete-pairing': {
          const pairing = await gateway.completePairing(key);
          return `Paired ${pairing.enforcerId} (code ${pairing.pairingCode})`;
        }
        case 'revoke-pairing': {
          const pairing = gateway.revokePairing(key);
          return `Revoked the pairing of ${pairing.enforcerId}`;
        }
        case 'approve-device':
          idp.approveDevice(key, { subject: 'sandbox-user' });
          return `Signed in device code ${key} as sandbox-user`;
        case 'deny-device':
          idp.denyDevice(key);
          return `Denied device code ${key}`;
        default:
          throw new PanelActionError(`Unknown Airlock action "${action}".`);
      }
    },
  };
}
