import {
  AirlockGatewayClient,
  DecisionVerificationError,
  isApproved,
  startPairing,
  verifyDecision,
} from '@x/airlock';
import { driveConsole } from '../console.ts';
import { check, type Scenario } from '../scenario.ts';

/**
 * An enforcer pairs with the sandbox's approver, sends an encrypted command, the approver decides in the
 * console (its buttons, over the console's HTTP API), and the enforcer verifies the signed decision,
 * acknowledges it, and refuses a tampered one.
 */
export const airlockScenario: Scenario = {
  title: '@x/airlock: pair, encrypt-and-submit, a signed decision verified and acknowledged',
  async run(say, { sandbox }) {
    const { gateway, pat } = sandbox.airlock;
    const approver = driveConsole(sandbox.console.url);
    const client = new AirlockGatewayClient({
      baseUrl: gateway.url,
      pat,
      signerPublicKey: gateway.signerPublicKey,
    });
    say(`sandbox gateway on ${gateway.url}, consent: ${await client.checkConsent()}`);

    const pairing = await startPairing(client, {
      enforcerId: 'enf-demo',
      deviceId: 'dev-demo',
      workspaceName: 'demo',
    });
    const pairingRow = (await approver.list('airlock', 'pairings')).rows.find(
      (row) => row.cells['code'] === pairing.pairingCode,
    );
    check(pairingRow?.cells['state'] === 'Pending', 'the console shows the pending pairing and its code');
    say(
      `pairing code ${pairing.pairingCode}; console: ${await approver.press('airlock', 'complete-pairing', pairingRow.key)}`,
    );
    const { routingToken, encryptionKey } = await pairing.waitForCompletion({ intervalMs: 50 });
    check(
      encryptionKey === gateway.pairings.get(pairing.pairingNonce)?.encryptionKey,
      'same key on both sides',
    );
    say('paired: both sides derived the same AES-256 key (X25519 → HKDF-SHA256)');

    const command = { command: 'kubectl delete namespace staging', cluster: 'eu-1' };
    const { requestId, artifactHash } = await client.encryptAndSubmitArtifact({
      enforcerId: 'enf-demo',
      plaintextPayload: JSON.stringify(command),
      encryptionKey,
      metadata: { routingToken, requestLabel: 'Delete staging' },
    });
    const seen = gateway.exchanges.get(requestId);
    check(seen?.hashMatches === true, 'the approver decrypted the artifact and its hash matches');
    say(`submitted ${requestId}; the approver decrypted ${seen?.plaintext}`);

    const waiting = client.waitUntilDecided(requestId, { timeoutSeconds: 10, totalTimeout: 30_000 });
    const pendingRow = (await approver.list('airlock', 'pending')).rows.find((row) => row.key === requestId);
    check(
      pendingRow?.cells['hash'] === 'matches' &&
        pendingRow.detail?.includes('kubectl delete namespace staging'),
      'the console shows the decrypted command with a matching hash',
    );
    say(
      `console: ${await approver.press('airlock', 'approve', requestId, { reason: 'Staging is being rebuilt' })}`,
    );
    const decision = await waiting;
    const verified = await verifyDecision(decision, artifactHash, gateway.signerPublicKey);
    check(
      isApproved(decision) && verified.signed && verified.reason === 'Staging is being rebuilt',
      "an approved, signed decision with the console's reason",
    );
    await client.acknowledgeDecision(decision);
    check(gateway.exchanges.get(requestId)?.acks.length === 1, 'the ack reached the gateway');
    say(`decision: ${verified.decision} ("${verified.reason}"), signature verified, acknowledged`);

    const tampered = { ...decision, body: { ...decision.body!, reason: 'edited in transit' } };
    const refused = await verifyDecision(tampered, artifactHash, gateway.signerPublicKey).then(
      () => undefined,
      (error) => (DecisionVerificationError.isInstance(error) ? error.reason : undefined),
    );
    check(refused === 'bad_signature', 'a tampered decision is refused');
    say(`a decision edited in transit is refused: ${refused}`);
    return 'paired and approved in the console, signed decision verified and acknowledged, tampering refused';
  },
};
