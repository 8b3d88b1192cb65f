/**
 * Pairing helpers: key pair, initiate or claim, status polling, shared-key derivation.
 *
 * @module
 */
import { sleep, TimeoutError } from '@x/http-core';
import type { AirlockGatewayClient, CallOptions } from './client.ts';
import { type AirlockKeyPair, deriveSharedKey, generateX25519KeyPair } from './crypto.ts';
import { AirlockInputError, PairingError } from './errors.ts';
import type { PairingStatusResponse } from './models.ts';

/** Options of {@link startPairing}. */
export interface StartPairingOptions extends CallOptions {
  /** The enforcer's id. */
  enforcerId: string;
  /** This device's id (e.g. `dev-<hostname>`). */
  deviceId: string;
  /** A label the approver sees (required when claiming). */
  enforcerLabel?: string;
  /** The workspace's name (required when claiming). */
  workspaceName?: string;
  /** The gateway URL to tell the approver. */
  gatewayUrl?: string;
  /** A code pre-generated in the mobile app: claims it instead of initiating a new pairing. */
  pairingCode?: string;
  /** Our X25519 key pair (default: a fresh one). */
  keyPair?: AirlockKeyPair;
}

/** Options of {@link waitForPairing}. */
export interface WaitForPairingOptions {
  /** Between status polls, in ms (default 5000). */
  intervalMs?: number;
  /** How many polls before giving up with a `TimeoutError` (default 60: five minutes). */
  maxPolls?: number;
  /** Stops the polling (rejects with `AbortError`). */
  signal?: AbortSignal;
}

/** A completed pairing: what an enforcer stores to submit artifacts. */
export interface CompletedPairing {
  /** The pairing's nonce. */
  pairingNonce: string;
  /** Send as `metadata.routingToken` with every artifact. */
  routingToken: string;
  /** The approver's X25519 public key (base64url). */
  approverPublicKey: string;
  /** The derived AES-256 key (base64url): the `encryptionKey` of `encryptAndSubmitArtifact`. */
  encryptionKey: string;
  /** The final status response. */
  status: PairingStatusResponse;
}

/** A pairing in progress, returned by {@link startPairing}. */
export interface PendingPairing {
  /** Poll handle. */
  pairingNonce: string;
  /** The code to show the user (initiate only; a claimed code is already known). */
  pairingCode: string | undefined;
  /** When the pairing session expires, if the gateway said. */
  expiresAt: string | undefined;
  /** Our key pair (keep the private key secret; it is not needed after completion). */
  keyPair: AirlockKeyPair;
  /** Polls until the approver completes the pairing, then derives the key. */
  waitForCompletion(options?: WaitForPairingOptions): Promise<CompletedPairing>;
}

/**
 * Starts a pairing: generates a key pair (unless given), then initiates one (show `pairingCode` to the user)
 * or claims `pairingCode` when given. Await `waitForCompletion()` for the routing token and encryption key.
 *
 * @example
 * ```ts
 * const pairing = await startPairing(client, { enforcerId: 'enf-1', deviceId: 'dev-laptop', workspaceName: 'app' });
 * console.log(`Enter ${pairing.pairingCode} in the Airlock app`);
 * const { routingToken, encryptionKey } = await pairing.waitForCompletion({ signal });
 * ```
 */
export async function startPairing(
  client: AirlockGatewayClient,
  options: StartPairingOptions,
): Promise<PendingPairing> {
  const { pairingCode, keyPair: given, signal, timeout, headers, ...fields } = options;
  const call = { signal, timeout, headers } as CallOptions;
  const keyPair = given ?? (await generateX25519KeyPair());
  let pairingNonce: string;
  let code: string | undefined;
  let expiresAt: string | undefined;
  if (pairingCode !== undefined) {
    if (fields.enforcerLabel === undefined || fields.workspaceName === undefined)
      throw new AirlockInputError('Claiming a code needs enforcerLabel and workspaceName.', {
        code: 'invalid_argument',
      });
    const claimed = await client.claimPairing(
      {
        ...fields,
        enforcerLabel: fields.enforcerLabel,
        workspaceName: fields.workspaceName,
        pairingCode,
        x25519PublicKey: keyPair.publicKey,
      },
      call,
    );
    pairingNonce = claimed.pairingNonce;
    expiresAt = claimed.expiresAt;
  } else {
    const started = await client.initiatePairing({ ...fields, x25519PublicKey: keyPair.publicKey }, call);
    pairingNonce = started.pairingNonce;
    code = started.pairingCode;
    expiresAt = started.expiresAt;
  }
  return {
    pairingNonce,
    pairingCode: code,
    expiresAt,
    keyPair,
    async waitForCompletion(wait = {}) {
      const status = await waitForPairing(client, pairingNonce, wait);
      return completePairing(status, keyPair.privateKey);
    },
  };
}

/**
 * Polls a pairing's status until it is `Completed` (any case). Rejects with a {@link PairingError}
 * (`pairing_revoked` / `pairing_expired`) when it ends otherwise, with `TimeoutError` after `maxPolls`.
 */
export async function waitForPairing(
  client: AirlockGatewayClient,
  pairingNonce: string,
  options: WaitForPairingOptions = {},
): Promise<PairingStatusResponse> {
  const maxPolls = options.maxPolls ?? 60;
  const call = { signal: options.signal };
  for (let poll = 1; ; poll++) {
    const status = await client.getPairingStatus(pairingNonce, call);
    const state = status.state.toLowerCase();
    if (state === 'completed') return status;
    if (state === 'revoked' || state === 'expired')
      throw new PairingError(`The pairing was ${state}; start a new one.`, { code: `pairing_${state}` });
    if (poll >= maxPolls) throw new TimeoutError(`The pairing was not completed after ${maxPolls} polls.`);
    await sleep(options.intervalMs ?? 5000, options.signal);
  }
}

/**
 * Turns a `Completed` status into what an enforcer stores: the routing token and the key derived from the
 * approver's public key (read from `responseJson`) and our private key.
 *
 * @throws {PairingError} `pairing_incomplete` when the status lacks the routing token or approver key.
 * @throws {AirlockInputError} `invalid_key` for a malformed or low-order approver key.
 */
export async function completePairing(
  status: PairingStatusResponse,
  myPrivateKey: string,
): Promise<CompletedPairing> {
  let approverPublicKey: unknown;
  try {
    approverPublicKey = (JSON.parse(status.responseJson ?? '{}') as { x25519PublicKey?: unknown })
      ?.x25519PublicKey;
  } catch {
    approverPublicKey = undefined;
  }
  if (!status.routingToken || typeof approverPublicKey !== 'string')
    throw new PairingError('The completed pairing has no routing token or approver key.', {
      code: 'pairing_incomplete',
    });
  return {
    pairingNonce: status.pairingNonce,
    routingToken: status.routingToken,
    approverPublicKey,
    encryptionKey: await deriveSharedKey(myPrivateKey, approverPublicKey),
    status,
  };
}
