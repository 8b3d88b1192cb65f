/**
 * Decision verification and the anti-replay nonce journal.
 *
 * @module
 */
import { canonicalize as canonicalizeValue } from '@x/crypto';
import { sha256Hex, signEd25519, verifyEd25519 } from './crypto.ts';
import { type DecisionRejectionReason, DecisionVerificationError } from './errors.ts';
import type { DecisionBody, DecisionDeliverEnvelope } from './models.ts';

/** The fields a decision signature covers. */
export interface DecisionSignable {
  /** The exchange (envelope `requestId`). */
  requestId: string;
  /** The artifact hash the approver decided on. */
  artifactHash: string;
  /** `approve` or `reject`. */
  decision: string;
  /** The approver's reason. */
  reason?: string | undefined;
  /** The decision nonce (anti-replay). */
  nonce?: string | undefined;
  /** The id of the signing key. */
  signerKeyId?: string | undefined;
}

/**
 * The exact text a decision signature covers: canonical JSON of `{requestId, artifactHash, decision, reason,
 * nonce, signerKeyId}` with absent members omitted.
 */
export async function decisionSignableText(fields: DecisionSignable): Promise<string> {
  const { requestId, artifactHash, decision, reason, nonce, signerKeyId } = fields;
  // Null and undefined members are left out, as the .NET verifier does; canonicalize skips undefined.
  const n = (x: string | null | undefined) => x ?? undefined;
  return canonicalizeValue({
    requestId,
    artifactHash,
    decision,
    reason: n(reason),
    nonce: n(nonce),
    signerKeyId: n(signerKeyId),
  });
}

/**
 * Signs a decision as an approver does: returns the decision body with `signature` (Ed25519 over
 * {@link decisionSignableText}, base64url) and `decisionHash` (its SHA-256, hex). Used by the fake gateway
 * and by tests; enforcers only verify.
 */
export async function signDecision(
  fields: DecisionSignable,
  signerPrivateKey: string,
): Promise<DecisionBody> {
  const text = await decisionSignableText(fields);
  return {
    artifactHash: fields.artifactHash,
    decision: fields.decision,
    reason: fields.reason,
    signerKeyId: fields.signerKeyId,
    nonce: fields.nonce,
    signature: await signEd25519(signerPrivateKey, text),
    decisionHash: await sha256Hex(text),
  };
}

/** True when a decision says `approve` (any case, as the Python, Rust and .NET SDKs compare). */
export function isApproved(decision: DecisionDeliverEnvelope | DecisionBody | undefined | null): boolean {
  const body = decision && 'msgType' in decision ? decision.body : (decision as DecisionBody | undefined);
  return body?.decision?.toLowerCase() === 'approve';
}

/** True when a decision says `reject` (any case), as the upstream SDKs' `is_rejected`. */
export function isRejected(decision: DecisionDeliverEnvelope | DecisionBody | undefined | null): boolean {
  const body = decision && 'msgType' in decision ? decision.body : (decision as DecisionBody | undefined);
  return body?.decision?.toLowerCase() === 'reject';
}

/** Options of {@link verifyDecision}. */
export interface VerifyDecisionOptions {
  /**
   * Refuse a decision without a signature when a signer key is given (default `true`). The .NET SDK accepts
   * unsigned decisions; we do not, since dropping the signature would otherwise pass.
   */
  requireSignature?: boolean;
  /** Records the decision's nonce and refuses one seen before. Without it no replay check runs. */
  nonceJournal?: NonceJournal;
  /** The exchange the decision must belong to. */
  requestId?: string;
  /** The clock for the envelope's `expiresAt` (default `Date.now`). */
  now?: () => number;
}

/** A decision that passed {@link verifyDecision}. */
export interface VerifiedDecision {
  /** The exchange. */
  requestId: string;
  /** The decision string as sent (`approve` / `reject`). */
  decision: string;
  /** `decision` is `approve` (any case). */
  approved: boolean;
  /** The approver's reason. */
  reason: string | undefined;
  /** The signing key's id. */
  signerKeyId: string | undefined;
  /** The decision nonce. */
  nonce: string | undefined;
  /** Whether an Ed25519 signature was checked. */
  signed: boolean;
  /** The envelope, e.g. to acknowledge it. */
  envelope: DecisionDeliverEnvelope;
}

const refuse = (message: string, reason: DecisionRejectionReason): never => {
  throw new DecisionVerificationError(message, { reason });
};

/**
 * Verifies a delivered decision, in order: a body is present; it is for `options.requestId` if
 * given; `body.artifactHash` equals the hash we submitted (case-insensitive); the envelope has not expired;
 * the Ed25519 signature over the canonical signable object verifies with `signerPublicKey`; the nonce was not
 * seen before (with a journal). Nothing is recorded for a decision that fails an earlier check.
 *
 * @example
 * ```ts
 * const envelope = await client.waitForDecision(requestId);
 * if (envelope) {
 *   const verified = await verifyDecision(envelope, artifactHash, signerPublicKey, { nonceJournal });
 *   if (verified.approved) run();
 * }
 * ```
 * @throws {DecisionVerificationError} with a `reason` when any check fails.
 */
export async function verifyDecision(
  envelope: DecisionDeliverEnvelope,
  expectedArtifactHash: string,
  signerPublicKey?: string,
  options: VerifyDecisionOptions = {},
): Promise<VerifiedDecision> {
  const body = envelope?.body;
  if (!body) return refuse('The decision envelope has no body.', 'missing_body');
  if (options.requestId !== undefined && envelope.requestId !== options.requestId)
    refuse(`The decision is for ${envelope.requestId}, not ${options.requestId}.`, 'request_mismatch');
  if (
    typeof body.artifactHash !== 'string' ||
    body.artifactHash.toLowerCase() !== expectedArtifactHash.toLowerCase()
  )
    refuse('Artifact hash mismatch: the decision is not about the artifact we submitted.', 'hash_mismatch');
  if (envelope.expiresAt) {
    const expires = Date.parse(envelope.expiresAt);
    if (!(expires > (options.now ?? Date.now)()))
      refuse(`The decision expired at ${envelope.expiresAt}.`, 'expired');
  }
  let signed = false;
  if (signerPublicKey !== undefined) {
    if (!body.signature) {
      if (options.requireSignature !== false) refuse('The decision is not signed.', 'missing_signature');
    } else {
      const text = await decisionSignableText({ ...body, requestId: envelope.requestId });
      if (!(await verifyEd25519(signerPublicKey, text, body.signature)))
        refuse('The decision signature does not verify with the signer key.', 'bad_signature');
      signed = true;
    }
  }
  if (options.nonceJournal) {
    if (!body.nonce) refuse('The decision has no nonce, so a replay cannot be ruled out.', 'missing_nonce');
    else if (!(await options.nonceJournal.tryRecord(body.nonce)))
      refuse('The decision nonce was seen before: a replayed decision.', 'replayed_nonce');
  }
  return {
    requestId: envelope.requestId,
    decision: body.decision,
    approved: isApproved(body),
    reason: body.reason,
    signerKeyId: body.signerKeyId,
    nonce: body.nonce,
    signed,
    envelope,
  };
}

/** Where a {@link NonceJournal} persists its entries (e.g. the Node file store of `@x/airlock/node`). */
export interface NonceJournalStore {
  /** Saves every entry (nonce → Unix ms when first seen); called after each successful record. */
  save(entries: ReadonlyMap<string, number>): void | Promise<void>;
}

/** Options of {@link NonceJournal}. */
export interface NonceJournalOptions {
  /** How long a nonce is remembered, in ms (default 900 000 = 15 min). */
  ttlMs?: number;
  /** The clock (default `Date.now`). */
  now?: () => number;
  /** Entries to start with (nonce → Unix ms), e.g. loaded from a file. */
  entries?: Iterable<readonly [string, number]>;
  /** Persists entries after each record; errors are reported to `onError` and otherwise ignored. */
  store?: NonceJournalStore;
  /** Told about store failures (persistence is best effort, as in every SDK). */
  onError?: (error: unknown) => void;
}

const PRUNE_EVERY_MS = 60_000;

/**
 * Remembers decision nonces for a TTL so a replayed decision is refused. In memory by default;
 * `openFileNonceJournal` in `@x/airlock/node` persists it.
 *
 * @example
 * ```ts
 * const journal = new NonceJournal();
 * await journal.tryRecord('n-1'); // true
 * await journal.tryRecord('n-1'); // false: replay
 * ```
 */
export class NonceJournal {
  readonly #ttl: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, number>();
  readonly #store: NonceJournalStore | undefined;
  readonly #onError: ((error: unknown) => void) | undefined;
  #lastPrune = Number.NEGATIVE_INFINITY;
  #saving: Promise<void> = Promise.resolve();

  /** Creates a journal; see {@link NonceJournalOptions}. */
  constructor(options: NonceJournalOptions = {}) {
    this.#ttl = options.ttlMs ?? 900_000;
    this.#now = options.now ?? Date.now;
    this.#store = options.store;
    this.#onError = options.onError;
    for (const [nonce, at] of options.entries ?? []) this.#entries.set(nonce, at);
  }

  /** The TTL in ms. */
  get ttlMs(): number {
    return this.#ttl;
  }

  #prune(): void {
    const now = this.#now();
    if (now - this.#lastPrune < PRUNE_EVERY_MS) return;
    this.#lastPrune = now;
    for (const [nonce, at] of this.#entries) if (at < now - this.#ttl) this.#entries.delete(nonce);
  }

  /**
   * Records a nonce. Resolves `false` when it was seen within the TTL (a replay; its time is not refreshed),
   * else stores it, persists, and resolves `true`. An expired entry may be recorded again.
   */
  async tryRecord(nonce: string): Promise<boolean> {
    this.#prune();
    const now = this.#now();
    const seen = this.#entries.get(nonce);
    if (seen !== undefined && now - seen < this.#ttl) return false;
    this.#entries.set(nonce, now);
    if (this.#store) {
      const store = this.#store;
      const snapshot = new Map(this.#entries);
      // Saves run one after another so an older snapshot never overwrites a newer one.
      this.#saving = this.#saving.then(() => store.save(snapshot)).catch((error) => this.#onError?.(error));
      await this.#saving;
    }
    return true;
  }

  /** True when the nonce was recorded within the TTL. Records nothing. */
  hasSeen(nonce: string): boolean {
    const seen = this.#entries.get(nonce);
    return seen !== undefined && this.#now() - seen < this.#ttl;
  }

  /** The number of stored entries (after a due prune; may include expired ones not yet pruned). */
  get count(): number {
    this.#prune();
    return this.#entries.size;
  }

  /** A copy of the entries (nonce → Unix ms). */
  entries(): Map<string, number> {
    return new Map(this.#entries);
  }

  /** Resolves when every pending save has finished. */
  flush(): Promise<void> {
    return this.#saving;
  }
}
