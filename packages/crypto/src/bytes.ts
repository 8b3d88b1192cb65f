/**
 * Internal byte helpers shared by the primitives (not exported from the package).
 *
 * @module
 */
import { CryptoError, InvalidKeyError } from './errors.ts';

/** True for a Uint8Array, including one made in another realm (iframe, edge VM). */
export function isBytes(value: unknown): value is Uint8Array {
  return (
    value instanceof Uint8Array ||
    (ArrayBuffer.isView(value) && (value as object).constructor?.name === 'Uint8Array')
  );
}

/** Throws `invalid_argument` unless `value` is a Uint8Array (of `length`, when given). */
export function assertBytes(value: unknown, name: string, length?: number): Uint8Array {
  if (!isBytes(value)) throw new CryptoError(`${name} must be a Uint8Array`, { code: 'invalid_argument' });
  if (length !== undefined && value.length !== length) {
    throw new CryptoError(`${name} must be ${length} bytes, got ${value.length}`, {
      code: 'invalid_argument',
    });
  }
  return value;
}

/** Like {@link assertBytes} for keys: throws {@link InvalidKeyError} (the length, never the bytes). */
export function assertKey(value: unknown, name: string, length: number): Uint8Array {
  if (!isBytes(value)) throw new InvalidKeyError(`${name} must be a Uint8Array`);
  if (value.length !== length) {
    throw new InvalidKeyError(`${name} must be ${length} bytes, got ${value.length}`);
  }
  return value;
}

/**
 * Bytes WebCrypto accepts in every runtime: the input itself when it is a Uint8Array of this realm over a
 * plain ArrayBuffer (no copy, which matters at megabytes), else a copy. Some runtimes reject views made in
 * another realm (edge VMs, iframes) or over a SharedArrayBuffer.
 */
export function fresh(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  if (bytes instanceof Uint8Array && bytes.buffer instanceof ArrayBuffer)
    return bytes as Uint8Array<ArrayBuffer>;
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy;
}

/** Concatenates byte arrays into one new array. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** True when every byte is zero (checked in constant time for the given length). */
export function isAllZero(bytes: Uint8Array): boolean {
  let acc = 0;
  for (let i = 0; i < bytes.length; i++) acc |= bytes[i]!;
  return acc === 0;
}
