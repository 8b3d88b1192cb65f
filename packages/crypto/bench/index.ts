// pnpm bench: @x/crypto (automatic backend: node:crypto in Node) against node:crypto, against calling @noble
// directly (and forced to its noble backend), and canonicalize against the `canonicalize` npm package.
// Targets are reported, never asserted (see @x/tooling/bench).
import { createCipheriv, createDecipheriv, randomBytes as nodeRandomBytes } from 'node:crypto';
import { gcm } from '@noble/ciphers/aes.js';
import type { ComparisonRow } from '@x/tooling/bench';
import { compare, summarize } from '@x/tooling/bench';
import canonicalizeNpm from 'canonicalize';
import {
  aesGcmOpen,
  aesGcmSeal,
  canonicalize,
  nobleBackend,
  randomBytes,
  resolveBackends,
} from '../src/index.ts';
import { makeDocument } from './fixtures.ts';

const rows: ComparisonRow[] = [];
const key = randomBytes(32);
const noble = { backend: nobleBackend };
/** Per-case time in ms: the case's own minimum, raised by BENCH_TIME_MS when that is larger. */
const caseTime = (ms: number) => Math.max(ms, Number(process.env.BENCH_TIME_MS ?? 0));
console.log('automatic backends:', JSON.stringify(await resolveBackends()));

function nodeSeal(plaintext: Uint8Array) {
  const nonce = nodeRandomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { nonce, ciphertext, tag: cipher.getAuthTag() };
}

function nodeOpen(s: { nonce: Uint8Array; ciphertext: Uint8Array; tag: Uint8Array }) {
  const decipher = createDecipheriv('aes-256-gcm', key, s.nonce);
  decipher.setAuthTag(s.tag);
  return Buffer.concat([decipher.update(s.ciphertext), decipher.final()]);
}

function nobleSeal(plaintext: Uint8Array) {
  const nonce = randomBytes(12);
  const sealed = gcm(key, nonce).encrypt(plaintext);
  return { nonce, ciphertext: sealed.subarray(0, -16), tag: sealed.subarray(-16) };
}

function nobleOpen(s: { nonce: Uint8Array; ciphertext: Uint8Array; tag: Uint8Array }) {
  const sealed = new Uint8Array(s.ciphertext.length + 16);
  sealed.set(s.ciphertext);
  sealed.set(s.tag, s.ciphertext.length);
  return gcm(key, s.nonce).decrypt(sealed);
}

for (const [label, size] of [
  ['1 KiB', 1024],
  ['1 MiB', 1 << 20],
] as const) {
  const plaintext = randomBytes(size);
  const sealed = await aesGcmSeal({ key, plaintext });
  const big = size > 1024;
  const timeMs = caseTime(big ? 1500 : 700);
  // The WebCrypto ceiling in this runtime, for reference: @x/crypto cannot beat the engine it calls.
  const subtleKey = await crypto.subtle.importKey('raw', key as Uint8Array<ArrayBuffer>, 'AES-GCM', false, [
    'encrypt',
    'decrypt',
  ]);
  const joined = new Uint8Array(sealed.ciphertext.length + 16);
  joined.set(sealed.ciphertext);
  joined.set(sealed.tag, sealed.ciphertext.length);
  const rawSeal = {
    name: 'crypto.subtle.encrypt (reference)',
    fn: () =>
      crypto.subtle.encrypt(
        { name: 'AES-GCM', iv: new Uint8Array(12) },
        subtleKey,
        plaintext as Uint8Array<ArrayBuffer>,
      ),
  };
  const rawOpen = {
    name: 'crypto.subtle.decrypt (reference)',
    fn: () =>
      crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: sealed.nonce as Uint8Array<ArrayBuffer> },
        subtleKey,
        joined,
      ),
  };
  rows.push(
    ...(await compare({
      title: `AES-256-GCM seal ${label} vs node:crypto`,
      baseline: { name: 'node:crypto', fn: () => nodeSeal(plaintext) },
      candidates: [
        {
          name: '@x/crypto aesGcmSeal',
          fn: () => aesGcmSeal({ key, plaintext }),
          target: big ? 0.9 : undefined,
        },
        ...(big ? [rawSeal] : []),
      ],
      timeMs,
    })),
    ...(await compare({
      title: `AES-256-GCM open ${label} vs node:crypto`,
      baseline: { name: 'node:crypto', fn: () => nodeOpen(sealed) },
      candidates: [
        {
          name: '@x/crypto aesGcmOpen',
          fn: () => aesGcmOpen({ key, ...sealed }),
          target: big ? 0.9 : undefined,
        },
        ...(big ? [rawOpen] : []),
      ],
      timeMs,
    })),
    ...(await compare({
      title: `AES-256-GCM seal ${label} vs @noble/ciphers`,
      baseline: { name: '@noble/ciphers gcm', fn: () => nobleSeal(plaintext) },
      candidates: [
        {
          name: '@x/crypto aesGcmSeal',
          fn: () => aesGcmSeal({ key, plaintext }),
          target: big ? undefined : 1,
        },
        {
          name: '@x/crypto aesGcmSeal, nobleBackend forced',
          fn: () => aesGcmSeal({ key, plaintext }, noble),
        },
      ],
      timeMs,
    })),
    ...(await compare({
      title: `AES-256-GCM open ${label} vs @noble/ciphers`,
      baseline: { name: '@noble/ciphers gcm', fn: () => nobleOpen(sealed) },
      candidates: [
        {
          name: '@x/crypto aesGcmOpen',
          fn: () => aesGcmOpen({ key, ...sealed }),
          target: big ? undefined : 1,
        },
        {
          name: '@x/crypto aesGcmOpen, nobleBackend forced',
          fn: () => aesGcmOpen({ key, ...sealed }, noble),
        },
      ],
      timeMs,
    })),
  );
}

for (const [label, size] of [
  ['10 KB', 10_000],
  ['1 MB', 1_000_000],
] as const) {
  const doc = makeDocument(size);
  const text = canonicalize(doc);
  if (text !== (canonicalizeNpm as (v: unknown) => string)(doc)) throw new Error('outputs differ');
  rows.push(
    ...(await compare({
      title: `canonicalize ${label} document (${text.length.toLocaleString('en-US')} bytes)`,
      baseline: { name: 'canonicalize (npm)', fn: () => (canonicalizeNpm as (v: unknown) => string)(doc) },
      candidates: [{ name: '@x/crypto canonicalize', fn: () => canonicalize(doc), target: 2 }],
      timeMs: caseTime(size > 100_000 ? 2000 : 700),
    })),
  );
}

summarize(rows);
