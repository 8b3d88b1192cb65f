/**
 * The broker's audit trail: one event per decision, sealed into immutable batches that form a
 * SHA-256 hash chain. `verifyAuditChain` checks a run of batches (from a sink, a store, a file) and says where
 * it was tampered with. Runs in any runtime.
 *
 * @module
 */
import { canonicalize, sha256Hex } from '@x/crypto';
import * as v from 'valibot';

/** One audit event of the broker, with exactly the broker's fields (wire names). */
export interface AuditEvent {
  /** When the request arrived (RFC 3339). */
  ts: string;
  /** `X-Request-ID` (empty when none was sent). */
  request_id: string;
  /** The PoA's `jti` (empty before the PoA was verified). */
  poa_jti: string;
  /** The mTLS SPIFFE ID. */
  agent_identity: string;
  /** The platform token's `sub` (empty when none was verified). */
  platform_identity: string;
  /** The PoA's `act`, else the declared action (empty when none). */
  action: string;
  /** The PoA's `con` (null before the PoA was verified). */
  constraints: Record<string, unknown> | null;
  /** The outcome. */
  decision: 'allow' | 'deny' | 'error';
  /** Why: `policy_allow`, `missing_poa`, `poa_invalid:expired`, an OPA reason, … */
  reason: string;
  /** The upstream the call was (or would have been) forwarded to. */
  target_service: string;
  /** The HTTP method. */
  method: string;
  /** The URL path. */
  path: string;
}

/** An immutable batch of audit events, chained to the previous batch by its hash. */
export interface AuditBatch {
  /** `batch_` + 32 hex digits. */
  batch_id: string;
  /** When the batch was sealed (RFC 3339). */
  timestamp: string;
  /** The previous batch's `content_hash` ({@link AUDIT_GENESIS_HASH} for the first). */
  prev_hash: string;
  /** SHA-256 (hex) of the RFC 8785 canonical JSON of every other field; see {@link auditBatchHash}. */
  content_hash: string;
  /** The events, oldest first. */
  events: AuditEvent[];
  /** `events.length`. */
  event_count: number;
  /** When the batch may be deleted (RFC 3339; default 2555 days after `timestamp`). */
  retention_expires: string;
}

/** The `prev_hash` of the first batch of a chain: 64 zeros. */
export const AUDIT_GENESIS_HASH: string = '0'.repeat(64);

/** The default retention of audit batches, days (about seven years). */
export const AUDIT_RETENTION_DAYS = 2555;

const AuditEventSchema = v.strictObject({
  ts: v.string(),
  request_id: v.string(),
  poa_jti: v.string(),
  agent_identity: v.string(),
  platform_identity: v.string(),
  action: v.string(),
  constraints: v.nullable(v.record(v.string(), v.unknown())),
  decision: v.picklist(['allow', 'deny', 'error']),
  reason: v.string(),
  target_service: v.string(),
  method: v.string(),
  path: v.string(),
});

const HASH = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'a SHA-256 hash in lower-case hex'));

// The wire shape of a batch; unknown keys are refused (they would escape the hash).
const AuditBatchSchema = v.strictObject({
  batch_id: v.pipe(v.string(), v.minLength(1)),
  timestamp: v.string(),
  prev_hash: HASH,
  content_hash: HASH,
  events: v.array(AuditEventSchema),
  event_count: v.pipe(v.number(), v.integer()),
  retention_expires: v.string(),
});

/**
 * The `content_hash` of a batch: SHA-256 (lower-case hex) of the RFC 8785 canonical JSON of
 * `{batch_id, timestamp, prev_hash, events, event_count, retention_expires}`. Since `prev_hash` is inside,
 * each hash covers the whole chain before it.
 */
export function auditBatchHash(batch: Omit<AuditBatch, 'content_hash'>): Promise<string> {
  return sha256Hex(
    canonicalize({
      batch_id: batch.batch_id,
      timestamp: batch.timestamp,
      prev_hash: batch.prev_hash,
      events: batch.events,
      event_count: batch.event_count,
      retention_expires: batch.retention_expires,
    }),
  );
}

/** What {@link sealAuditBatch} needs. */
export interface SealAuditBatchInput {
  /** The batch id. */
  batchId: string;
  /** When it is sealed. */
  sealedAt: Date;
  /** The previous batch's `content_hash` (default {@link AUDIT_GENESIS_HASH}). */
  prevHash?: string;
  /** The events. */
  events: readonly AuditEvent[];
  /** Retention, days (default {@link AUDIT_RETENTION_DAYS}). */
  retentionDays?: number;
}

const rfc3339 = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Seals events into an immutable batch chained to `prevHash`.
 *
 * @example
 * ```ts
 * const first = await sealAuditBatch({ batchId: 'batch_1', sealedAt: new Date(), events });
 * const second = await sealAuditBatch({ batchId: 'batch_2', sealedAt: new Date(), events: more, prevHash: first.content_hash });
 * ```
 */
export async function sealAuditBatch(input: SealAuditBatchInput): Promise<AuditBatch> {
  const retentionDays = input.retentionDays ?? AUDIT_RETENTION_DAYS;
  const body = {
    batch_id: input.batchId,
    timestamp: rfc3339(input.sealedAt),
    prev_hash: input.prevHash ?? AUDIT_GENESIS_HASH,
    events: [...input.events],
    event_count: input.events.length,
    retention_expires: rfc3339(new Date(input.sealedAt.getTime() + retentionDays * 86_400_000)),
  };
  return { ...body, content_hash: await auditBatchHash(body) };
}

/** The verdict of {@link verifyAuditChain}. */
export type AuditChainVerdict =
  | {
      /** Every batch is intact and chained. */
      valid: true;
      /** How many batches were checked. */
      batches: number;
      /** The last batch's `content_hash` (the `previousHash` to continue from). */
      lastHash: string;
    }
  | {
      /** A batch is malformed, altered, or out of the chain. */
      valid: false;
      /** Its position in the list. */
      index: number;
      /** Its `batch_id`, when it has one. */
      batchId: string | undefined;
      /** What is wrong, in words. */
      problem: string;
    };

/**
 * Checks a run of audit batches, oldest first: each has the batch shape, `event_count` equals the number of
 * events, `prev_hash` is the previous batch's `content_hash` (the first's is `previousHash`, default
 * {@link AUDIT_GENESIS_HASH}), and `content_hash` is the hash of its content. The first failure is reported
 * with its index; an edited event, a removed, reordered or inserted batch all break the chain.
 *
 * @example
 * ```ts
 * const verdict = await verifyAuditChain(batchesFromTheSink);
 * if (!verdict.valid) console.error(`batch ${verdict.index}: ${verdict.problem}`);
 * ```
 */
export async function verifyAuditChain(
  batches: readonly unknown[],
  options: { previousHash?: string } = {},
): Promise<AuditChainVerdict> {
  let expectedPrev = options.previousHash ?? AUDIT_GENESIS_HASH;
  for (const [index, raw] of batches.entries()) {
    const id = (raw as { batch_id?: unknown } | null)?.batch_id;
    const batchId = typeof id === 'string' ? id : undefined;
    const fail = (problem: string): AuditChainVerdict => ({ valid: false, index, batchId, problem });
    const parsed = v.safeParse(AuditBatchSchema, raw);
    if (!parsed.success) {
      const issue = parsed.issues[0];
      const path = issue.path?.map((p) => String(p.key)).join('.') ?? 'batch';
      return fail(`${path} is malformed (${issue.message})`);
    }
    const batch = parsed.output as AuditBatch;
    if (batch.event_count !== batch.events.length) {
      return fail(`event_count is ${batch.event_count} but it holds ${batch.events.length} events`);
    }
    if (batch.prev_hash !== expectedPrev) {
      return fail(`prev_hash ${batch.prev_hash} is not the previous batch's hash ${expectedPrev}`);
    }
    const actual = await auditBatchHash(batch);
    if (actual !== batch.content_hash) {
      return fail(
        `content_hash ${batch.content_hash} does not match its content (${actual}): it was altered`,
      );
    }
    expectedPrev = batch.content_hash;
  }
  return { valid: true, batches: batches.length, lastHash: expectedPrev };
}
