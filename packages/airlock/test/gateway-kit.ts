// Shared set-up of the gateway tests: a fake gateway on a loopback port and a client for it.
import {
  AirlockGatewayClient,
  type AirlockGatewayClientOptions,
  type CompletedPairing,
  startPairing,
} from '../src/index.ts';
import { type FakeGateway, type FakeGatewayOptions, startFakeGateway } from '../src/testing/index.ts';

export const PAT = 'airpat_test';

export interface Rig {
  gateway: FakeGateway;
  client: AirlockGatewayClient;
  close(): Promise<void>;
}

/** A fake gateway and a PAT client that knows the gateway's signer key. */
export async function rig(
  gatewayOptions: FakeGatewayOptions = {},
  clientOptions: AirlockGatewayClientOptions = {},
): Promise<Rig> {
  const gateway = await startFakeGateway(gatewayOptions);
  const client = new AirlockGatewayClient({
    baseUrl: gateway.url,
    pat: PAT,
    signerPublicKey: gateway.signerPublicKey,
    retry: { limit: 2, baseDelay: 1, maxDelay: 5 },
    ...clientOptions,
  });
  return { gateway, client, close: () => gateway.close() };
}

/** Pairs the client with the fake approver (initiate, the approver completes, poll). */
export async function pair(r: Rig, enforcerId = 'enf-1'): Promise<CompletedPairing> {
  const pending = await startPairing(r.client, {
    enforcerId,
    deviceId: 'dev-test',
    enforcerLabel: 'Test enforcer',
    workspaceName: 'ws',
  });
  await r.gateway.completePairing(pending.pairingCode!);
  return pending.waitForCompletion({ intervalMs: 10 });
}

/** The encrypt-and-submit request most tests send: `payload` under the pairing's key and routing token. */
export function artifactFor(p: CompletedPairing, plaintextPayload: string, enforcerId = 'enf-1') {
  return {
    enforcerId,
    plaintextPayload,
    encryptionKey: p.encryptionKey,
    metadata: { routingToken: p.routingToken },
  };
}
