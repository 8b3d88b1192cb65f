// Cross-checks the codecs against Node's Buffer, an independent implementation (Node only).
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { base64Encode, base64UrlDecode, base64UrlEncode, hexEncode, utf8Encode } from '../src/index.ts';

it('encodes exactly like Buffer', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
      const buf = Buffer.from(b);
      expect(base64Encode(b)).toBe(buf.toString('base64'));
      expect(base64UrlEncode(b)).toBe(buf.toString('base64url'));
      expect(hexEncode(b)).toBe(buf.toString('hex'));
      expect(base64UrlDecode(buf.toString('base64url'))).toEqual(b);
    }),
  );
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme' }), (s) => {
      expect(Buffer.from(utf8Encode(s)).equals(Buffer.from(s, 'utf8'))).toBe(true);
    }),
  );
});
