/**
 * RFC 6238 TOTP (SHA-1, 6 digits, 30 s), as inkPass's 2FA uses it. HMAC-SHA1 is not in @x/crypto, so this
 * Node-only testing code uses node:crypto.
 *
 * @module
 */
import { createHmac } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Decodes an RFC 4648 base32 string (padding and case ignored). */
function base32Decode(text: string): Uint8Array {
  const clean = text.replace(/=+$/, '').toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const index = BASE32.indexOf(ch);
    if (index < 0) throw new Error(`not base32: ${ch}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}

/** Encodes bytes as unpadded base32 (the form TOTP secrets are shown in). */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/**
 * The TOTP code of a base32 `secret` at `epochMs` (6 digits, 30-second steps, HMAC-SHA1): what an
 * authenticator app shows. Use it in tests to log in to a 2FA account of the fake.
 *
 * @example
 * ```ts
 * await client.login({ email, password, twoFaCode: totp(secret, clock.now()) });
 * ```
 */
export function totp(secret: string, epochMs: number): string {
  const counter = Math.floor(epochMs / 30_000);
  const message = new Uint8Array(8);
  new DataView(message.buffer).setBigUint64(0, BigInt(counter));
  const mac = createHmac('sha1', base32Decode(secret)).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(code).padStart(6, '0');
}
