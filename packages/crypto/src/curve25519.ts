/**
 * X25519 (RFC 7748) and Ed25519 (RFC 8032) in portable JavaScript, for runtimes whose WebCrypto lacks them.
 *
 * Why not @noble/curves: its Ed25519 alone is ~13 KB min+gz, which does not fit the package's 16 KB budget
 * next to AES-GCM and the hashes. This file follows the RFC algorithms directly (a Montgomery ladder; complete
 * twisted-Edwards addition in extended coordinates; strict decoding), is checked against the RFC vectors and
 * against @noble/curves and WebCrypto on random inputs in the tests. Secret scalars go through a fixed
 * sequence of operations with arithmetic (branch-free) selection; BigInt arithmetic itself is not
 * guaranteed constant-time by any engine, which is why WebCrypto is preferred wherever it exists.
 *
 * @module
 */
import { sha512 } from '@noble/hashes/sha2.js';

const P = 2n ** 255n - 19n;
// The order of the Ed25519 base point (RFC 8032 §5.1: L = 2^252 + 27742317777372353535851937790883648493).
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

const mod = (a: bigint, m = P): bigint => {
  const r = a % m;
  return r < 0n ? r + m : r;
};

function pow(base: bigint, exponent: bigint): bigint {
  // Exponents here are public constants (p − 2, (p − 5) / 8, …), so branching on their bits leaks nothing.
  let result = 1n;
  let b = mod(base);
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
    e >>= 1n;
  }
  return result;
}

const invert = (a: bigint): bigint => pow(a, P - 2n);

function fromLittleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

function toLittleEndian(n: bigint, length = 32): Uint8Array {
  const out = new Uint8Array(length);
  let v = n;
  for (let i = 0; i < length; i++) {
    out[i] = Number(v & 255n);
    v >>= 8n;
  }
  return out;
}

/** RFC 7748 §5 clamping, shared by X25519 and Ed25519 secret scalars. */
function clamp(bytes: Uint8Array): bigint {
  const k = bytes.slice(0, 32);
  k[0]! &= 248;
  k[31]! &= 127;
  k[31]! |= 64;
  return fromLittleEndian(k);
}

/** X25519(k, u) per RFC 7748 §5: the Montgomery ladder with a conditional swap done by masking. */
export function x25519(scalar: Uint8Array, u: Uint8Array): Uint8Array {
  const k = clamp(scalar);
  const uBytes = u.slice();
  uBytes[31]! &= 127; // RFC 7748: the top bit of u is ignored; non-canonical values are reduced.
  const x1 = mod(fromLittleEndian(uBytes));
  let x2 = 1n;
  let z2 = 0n;
  let x3 = x1;
  let z3 = 1n;
  let swap = 0n;
  for (let t = 254n; t >= 0n; t--) {
    const bit = (k >> t) & 1n;
    swap ^= bit;
    const mask = -swap;
    let d = mask & (x2 ^ x3);
    x2 ^= d;
    x3 ^= d;
    d = mask & (z2 ^ z3);
    z2 ^= d;
    z3 ^= d;
    swap = bit;
    const a = x2 + z2;
    const aa = (a * a) % P;
    const b = x2 - z2;
    const bb = (b * b) % P;
    const e = aa - bb;
    const c = x3 + z3;
    const dd = x3 - z3;
    const da = (dd * a) % P;
    const cb = (c * b) % P;
    x3 = ((da + cb) * (da + cb)) % P;
    z3 = (x1 * (((da - cb) * (da - cb)) % P)) % P;
    x2 = (aa * bb) % P;
    z2 = mod(e * (aa + 121665n * e));
  }
  const mask = -swap;
  x2 ^= mask & (x2 ^ x3);
  z2 ^= mask & (z2 ^ z3);
  return toLittleEndian(mod(x2 * invert(z2)));
}

// ---- Ed25519 ----

/** A point in extended twisted-Edwards coordinates: x = X/Z, y = Y/Z, x·y = T/Z. */
type Point = readonly [bigint, bigint, bigint, bigint];

interface Constants {
  d2: bigint; // 2·d
  d: bigint; // −121665 / 121666
  sqrtM1: bigint; // √−1 = 2^((p−1)/4)
  base: Point;
}

let constants: Constants | undefined;

function curve(): Constants {
  if (!constants) {
    // Derived from their RFC 8032 definitions on first use rather than hard-coded.
    const d = mod(-121665n * invert(121666n));
    const sqrtM1 = pow(2n, (P - 1n) / 4n);
    constants = { d, d2: mod(2n * d), sqrtM1, base: [0n, 1n, 1n, 0n] };
    const by = mod(4n * invert(5n));
    const bx = recoverX(by, 0);
    if (bx === undefined) throw new Error('Ed25519 base point');
    constants.base = [bx, by, 1n, mod(bx * by)];
  }
  return constants;
}

const IDENTITY: Point = [0n, 1n, 1n, 0n];

/** RFC 8032 §5.1.4 addition; complete for a = −1, so it also doubles. */
function add(p: Point, q: Point): Point {
  const { d2 } = curve();
  const a = ((p[1] - p[0]) * (q[1] - q[0])) % P;
  const b = ((p[1] + p[0]) * (q[1] + q[0])) % P;
  const c = (((p[3] * d2) % P) * q[3]) % P;
  const dd = (2n * p[2] * q[2]) % P;
  const e = b - a;
  const f = dd - c;
  const g = dd + c;
  const h = b + a;
  return [mod(e * f), mod(g * h), mod(f * g), mod(e * h)];
}

/** [k]P with the same add/double sequence for every k below 2^256 and a branch-free select. */
function multiply(point: Point, k: bigint): Point {
  let q: Point = IDENTITY;
  for (let i = 255n; i >= 0n; i--) {
    q = add(q, q);
    const r = add(q, point);
    const mask = -((k >> i) & 1n);
    q = [
      q[0] ^ (mask & (q[0] ^ r[0])),
      q[1] ^ (mask & (q[1] ^ r[1])),
      q[2] ^ (mask & (q[2] ^ r[2])),
      q[3] ^ (mask & (q[3] ^ r[3])),
    ];
  }
  return q;
}

function encode(point: Point): Uint8Array {
  const zInv = invert(point[2]);
  const x = mod(point[0] * zInv);
  const y = mod(point[1] * zInv);
  const out = toLittleEndian(y);
  out[31]! |= Number(x & 1n) << 7;
  return out;
}

/** RFC 8032 §5.1.3 x-recovery; undefined when y is not on the curve or the sign is impossible. */
function recoverX(y: bigint, sign: number): bigint | undefined {
  const { d, sqrtM1 } = curve();
  const y2 = (y * y) % P;
  const u = mod(y2 - 1n);
  const v = mod(d * y2 + 1n);
  const v3 = (((v * v) % P) * v) % P;
  const v7 = (((v3 * v3) % P) * v) % P;
  let x = (((u * v3) % P) * pow((u * v7) % P, (P - 5n) / 8n)) % P;
  const vx2 = (v * ((x * x) % P)) % P;
  if (vx2 === u) {
    // x is a square root already.
  } else if (vx2 === mod(-u)) {
    x = (x * sqrtM1) % P;
  } else {
    return undefined;
  }
  if (x === 0n && sign === 1) return undefined;
  if (Number(x & 1n) !== sign) x = P - x;
  return x;
}

function decode(bytes: Uint8Array): Point | undefined {
  const copy = bytes.slice();
  const sign = copy[31]! >> 7;
  copy[31]! &= 127;
  const y = fromLittleEndian(copy);
  if (y >= P) return undefined; // strict: non-canonical encodings are refused
  const x = recoverX(y, sign);
  return x === undefined ? undefined : [x, y, 1n, mod(x * y)];
}

function expand(seed: Uint8Array): { scalar: bigint; prefix: Uint8Array; publicKey: Uint8Array } {
  const h = sha512(seed);
  const scalar = clamp(h);
  return { scalar, prefix: h.subarray(32), publicKey: encode(multiply(curve().base, scalar)) };
}

function hashToScalar(...parts: Uint8Array[]): bigint {
  let length = 0;
  for (const part of parts) length += part.length;
  const data = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    data.set(part, offset);
    offset += part.length;
  }
  return mod(fromLittleEndian(sha512(data)), L);
}

/**
 * True when `bytes` encode an Ed25519 point canonically (y < p) that is not of small order. Signatures under a
 * small-order key are forgeable for any message, and OpenSSL-based WebCrypto accepts both non-canonical and
 * small-order keys, so the public verify checks this first (as libsodium does) to keep both backends equal.
 */
export function isStrongEd25519PublicKey(bytes: Uint8Array): boolean {
  const a = decode(bytes);
  if (!a) return false;
  let q: Point = a;
  for (let i = 0; i < 3; i++) q = add(q, q);
  // [8]A is the identity (X = 0, Y = Z) exactly for the eight small-order points.
  return !(q[0] === 0n && q[1] === q[2]);
}

/** Ed25519 public key of a 32-byte seed (RFC 8032 §5.1.5). */
export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  return expand(seed).publicKey;
}

/** Ed25519 signature (RFC 8032 §5.1.6). */
export function ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
  const { scalar, prefix, publicKey } = expand(seed);
  const r = hashToScalar(prefix, message);
  const rBytes = encode(multiply(curve().base, r));
  const k = hashToScalar(rBytes, publicKey, message);
  const signature = new Uint8Array(64);
  signature.set(rBytes);
  signature.set(toLittleEndian(mod(r + k * scalar, L)), 32);
  return signature;
}

/**
 * Ed25519 verification (RFC 8032 §5.1.7), cofactorless like OpenSSL: S < L, A decodes strictly, and
 * [S]B − [k]A must encode to exactly the R bytes of the signature.
 */
export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const a = decode(publicKey);
  if (!a) return false;
  const s = fromLittleEndian(signature.subarray(32, 64));
  if (s >= L) return false;
  const rBytes = signature.subarray(0, 32);
  const k = hashToScalar(rBytes, publicKey, message);
  const negA: Point = [mod(-a[0]), a[1], a[2], mod(-a[3])];
  const check = encode(add(multiply(curve().base, s), multiply(negA, k)));
  let diff = 0;
  for (let i = 0; i < 32; i++) diff |= check[i]! ^ rBytes[i]!;
  return diff === 0;
}
