// The audit hash chain (spec §2.3): sealing batches and finding tampering. Runs in every runtime.
import { describe, expect, it } from 'vitest';
import {
  AUDIT_GENESIS_HASH,
  type AuditBatch,
  type AuditEvent,
  auditBatchHash,
  sealAuditBatch,
  verifyAuditChain,
} from '../src/index.ts';

const event = (n: number, decision: AuditEvent['decision'] = 'allow'): AuditEvent => ({
  ts: `2026-01-12T10:2${n}:00Z`,
  request_id: `req-${n}`,
  poa_jti: `poa_${n}`,
  agent_identity: 'spiffe://example.org/ns/default/sa/agent/connector',
  platform_identity: '',
  action: 'crm.contact.read',
  constraints: { contact_id: String(n) },
  decision,
  reason: decision === 'allow' ? 'policy_allow' : 'missing_poa',
  target_service: 'http://crm.internal',
  method: 'GET',
  path: `/crm/contacts/${n}`,
});

async function chain(): Promise<AuditBatch[]> {
  const sealedAt = new Date('2026-01-12T10:30:00Z');
  const first = await sealAuditBatch({ batchId: 'batch_1', sealedAt, events: [event(1), event(2, 'deny')] });
  const second = await sealAuditBatch({
    batchId: 'batch_2',
    sealedAt,
    events: [event(3)],
    prevHash: first.content_hash,
  });
  const third = await sealAuditBatch({
    batchId: 'batch_3',
    sealedAt,
    events: [event(4), event(5)],
    prevHash: second.content_hash,
    retentionDays: 30,
  });
  return [first, second, third];
}

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('sealAuditBatch', () => {
  it('builds the spec batch shape, chained from 64 zeros, with 2555 days of retention by default', async () => {
    const [first, second, third] = await chain();
    expect(Object.keys(first!).sort()).toEqual(
      [
        'batch_id',
        'content_hash',
        'event_count',
        'events',
        'prev_hash',
        'retention_expires',
        'timestamp',
      ].sort(),
    );
    expect(first).toMatchObject({
      prev_hash: AUDIT_GENESIS_HASH,
      event_count: 2,
      timestamp: '2026-01-12T10:30:00Z',
      retention_expires: new Date(Date.parse('2026-01-12T10:30:00Z') + 2555 * 86_400_000)
        .toISOString()
        .replace('.000Z', 'Z'),
    });
    expect(first!.content_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(second!.prev_hash).toBe(first!.content_hash);
    expect(third!.retention_expires).toBe('2026-02-11T10:30:00Z');
    const { content_hash, ...rest } = first!;
    expect(await auditBatchHash(rest)).toBe(content_hash);
  });
});

describe('verifyAuditChain', () => {
  it('accepts an intact chain, survives a JSON round trip and key reordering, and continues from a hash', async () => {
    const batches = await chain();
    expect(await verifyAuditChain(batches)).toEqual({
      valid: true,
      batches: 3,
      lastHash: batches[2]!.content_hash,
    });
    const reordered = batches.map((b) => Object.fromEntries(Object.entries(copy(b)).reverse()));
    expect((await verifyAuditChain(reordered)).valid).toBe(true);
    expect((await verifyAuditChain(batches.slice(1), { previousHash: batches[0]!.content_hash })).valid).toBe(
      true,
    );
    expect(await verifyAuditChain([])).toEqual({ valid: true, batches: 0, lastHash: AUDIT_GENESIS_HASH });
  });

  it('finds an edited event', async () => {
    const batches = copy(await chain());
    batches[1]!.events[0]!.decision = 'deny';
    expect(await verifyAuditChain(batches)).toMatchObject({
      valid: false,
      index: 1,
      batchId: 'batch_2',
      problem: expect.stringMatching(/does not match its content/),
    });
  });

  it('finds an edited event whose hash was recomputed: the next batch no longer chains', async () => {
    const batches = copy(await chain());
    batches[0]!.events[1]!.reason = 'policy_allow';
    const { content_hash: _, ...rest } = batches[0]!;
    batches[0]!.content_hash = await auditBatchHash(rest);
    expect(await verifyAuditChain(batches)).toMatchObject({ valid: false, index: 1 });
  });

  it('finds removed, reordered and inserted batches', async () => {
    const batches = await chain();
    expect(await verifyAuditChain([batches[0]!, batches[2]!])).toMatchObject({ valid: false, index: 1 });
    expect(await verifyAuditChain([batches[1]!, batches[0]!])).toMatchObject({ valid: false, index: 0 });
    const forged = await sealAuditBatch({
      batchId: 'batch_x',
      sealedAt: new Date(),
      events: [event(9)],
      prevHash: batches[0]!.content_hash,
    });
    expect(await verifyAuditChain([batches[0]!, forged, batches[1]!])).toMatchObject({
      valid: false,
      index: 2,
    });
  });

  it('refuses malformed batches: a wrong event_count, an extra key, a missing event field', async () => {
    const batches = copy(await chain());
    batches[0]!.event_count = 3;
    expect(await verifyAuditChain(batches)).toMatchObject({
      valid: false,
      index: 0,
      problem: 'event_count is 3 but it holds 2 events',
    });
    const extra = copy(await chain());
    (extra[2] as unknown as Record<string, unknown>).note = 'added later';
    expect(await verifyAuditChain(extra)).toMatchObject({ valid: false, index: 2 });
    const missing = copy(await chain());
    delete (missing[1]!.events[0] as Partial<AuditEvent>).target_service;
    expect(await verifyAuditChain(missing)).toMatchObject({
      valid: false,
      index: 1,
      problem: expect.stringMatching(/^events\.0\.target_service is malformed/),
    });
    expect(await verifyAuditChain([null])).toMatchObject({ valid: false, index: 0, batchId: undefined });
  });
});
