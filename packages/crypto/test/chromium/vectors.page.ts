// Runs in headless Chromium (bundled by @x/tooling/browser, driven by ../chromium.node.test.ts) and in Bun, Deno
// and workerd (@x/tooling/runtimes, ../vectors.runtimes.test.ts): every case of
// the shared Airlock vector file through the public API, with the automatic backend or a forced one, and
// reports failures as strings instead of throwing, so one run lists them all.
import {
  type Algorithm,
  type CryptoBackend,
  DecryptionError,
  nobleBackend,
  nodeCryptoBackend,
  openE2E,
  randomBytes,
  resolveBackends,
  sealE2E,
  sha256,
  utf8Decode,
  utf8Encode,
  webCryptoBackend,
} from '../../src/index.ts';
import { groups, vectorChecks } from '../vector-checks.ts';

/** What a run reports: how many cases ran per group, and one line per failed check. */
export interface VectorRun {
  cases: Record<string, number>;
  total: number;
  failures: string[];
}

const backends: Record<string, CryptoBackend | undefined> = { auto: undefined, noble: nobleBackend };

/** The runtime facts the Node side asserts: a secure context, what WebCrypto has, what auto picks. */
export async function environment() {
  const webcrypto: Partial<Record<Algorithm, boolean>> = {};
  for (const algorithm of ['sha256', 'hkdf', 'aesGcm', 'x25519', 'ed25519'] as const) {
    webcrypto[algorithm] = await webCryptoBackend.supports(algorithm);
  }
  return {
    userAgent: navigator.userAgent,
    isSecureContext: globalThis.isSecureContext,
    hasProcess: typeof (globalThis as { process?: unknown }).process !== 'undefined',
    webcrypto,
    resolved: await resolveBackends(),
    nodeCrypto: {
      name: nodeCryptoBackend.name,
      supportsSha256: await nodeCryptoBackend.supports('sha256'),
      forced: await sha256('x', { backend: nodeCryptoBackend }).then(
        () => 'resolved',
        (error: { code?: string }) => error.code,
      ),
    },
  };
}

/** Every vector group through `backend` ('auto': no option; 'noble': `{ backend: nobleBackend }`). */
export async function runVectors(backendName: string): Promise<VectorRun> {
  if (!(backendName in backends)) throw new Error(`unknown backend ${backendName}`);
  const opts = { backend: backends[backendName] };
  const run: VectorRun = { cases: {}, total: 0, failures: [] };
  let where = '';
  const eq = (what: string, actual: unknown, expected: unknown) => {
    if (actual !== expected) {
      run.failures.push(`${where}: ${what}: got ${JSON.stringify(actual)}, want ${JSON.stringify(expected)}`);
    }
  };
  for (const { group, run: check } of vectorChecks) {
    run.cases[group] = 0;
    for (const c of groups[group] as ReadonlyArray<{ description: string }>) {
      where = `${backendName} ${group} "${c.description}"`;
      run.cases[group]++;
      run.total++;
      try {
        await check(c, opts, eq);
      } catch (error) {
        run.failures.push(`${where}: threw ${String(error)}`);
      }
    }
  }

  return run;
}

/**
 * Seals a random message, then flips one bit of the ciphertext, the tag, the nonce or the key in turn: each
 * must reject with `DecryptionError` (checked with `isInstance` and `instanceof` in this realm).
 */
export async function tamper(backendName: string): Promise<VectorRun> {
  const opts = { backend: backends[backendName] };
  const run: VectorRun = { cases: { tamper: 0 }, total: 0, failures: [] };
  const key = randomBytes(32);
  const sealed = await sealE2E({ key, plaintext: utf8Encode('{"command":"rm -rf /"}') }, opts);
  const flip = (bytes: Uint8Array, index: number) => {
    const copy = bytes.slice();
    copy[index]! ^= 0x01;
    return copy;
  };
  const variants = {
    ciphertext: { key, ...sealed, ciphertext: flip(sealed.ciphertext, 3) },
    tag: { key, ...sealed, tag: flip(sealed.tag, 15) },
    nonce: { key, ...sealed, nonce: flip(sealed.nonce, 0) },
    key: { ...sealed, key: flip(key, 31) },
  };
  for (const [what, params] of Object.entries(variants)) {
    run.cases.tamper!++;
    run.total++;
    const error = await openE2E(params, opts).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!DecryptionError.isInstance(error) || !(error instanceof DecryptionError)) {
      run.failures.push(`${backendName} tampered ${what}: expected DecryptionError, got ${String(error)}`);
    }
  }
  const intact = utf8Decode(await openE2E({ key, ...sealed }, opts));
  if (intact !== '{"command":"rm -rf /"}') run.failures.push(`${backendName} intact: got ${intact}`);
  return run;
}
