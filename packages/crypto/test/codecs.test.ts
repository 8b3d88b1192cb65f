import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  base64Decode,
  base64Encode,
  base64UrlDecode,
  base64UrlEncode,
  CodecError,
  hexDecode,
  hexEncode,
  utf8Decode,
  utf8Encode,
} from '../src/index.ts';

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

function rejects(fn: () => unknown): void {
  expect(fn).toThrow(CodecError);
}

describe('base64', () => {
  it('encodes with padding in the standard alphabet', () => {
    expect(base64Encode(ascii(''))).toBe('');
    expect(base64Encode(ascii('f'))).toBe('Zg==');
    expect(base64Encode(ascii('fo'))).toBe('Zm8=');
    expect(base64Encode(ascii('foo'))).toBe('Zm9v');
    expect(base64Encode(ascii('foobar'))).toBe('Zm9vYmFy');
    expect(base64Encode(new Uint8Array([0xfb, 0xff]))).toBe('+/8=');
  });

  it('decodes canonical input', () => {
    expect(base64Decode('Zm9vYg==')).toEqual(ascii('foob'));
    expect(base64Decode('+/8=')).toEqual(new Uint8Array([0xfb, 0xff]));
  });

  it('refuses non-canonical input', () => {
    for (const bad of [
      'Zg',
      'Zg=',
      'Zm8',
      'Zh==',
      'Zm9=',
      '-_8=',
      'Zm9v\n',
      ' Zm9v',
      'Zm 9v',
      'Z===',
      '====',
      'Zg==Zg==',
      'Zm9vé===',
    ]) {
      rejects(() => base64Decode(bad));
    }
    rejects(() => base64Decode(42 as unknown as string));
  });
});

describe('base64url', () => {
  it('encodes without padding in the URL alphabet', () => {
    expect(base64UrlEncode(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
    expect(base64UrlEncode(ascii('f'))).toBe('Zg');
  });

  it('accepts unpadded and correctly padded input', () => {
    expect(base64UrlDecode('-_8')).toEqual(new Uint8Array([0xfb, 0xff]));
    expect(base64UrlDecode('-_8=')).toEqual(new Uint8Array([0xfb, 0xff]));
    expect(base64UrlDecode('Zg==')).toEqual(ascii('f'));
  });

  it('refuses the standard alphabet, bad padding, trailing bits and whitespace', () => {
    for (const bad of ['+/8', '-_8==', 'Zg=', 'Zh', 'Z', 'Zm9=', 'Zm9v ', 'Zm\t9v', 'A===', '=']) {
      rejects(() => base64UrlDecode(bad));
    }
  });
});

describe('hex', () => {
  it('encodes lowercase and decodes either case', () => {
    expect(hexEncode(new Uint8Array([0, 0xab, 0xff]))).toBe('00abff');
    expect(hexDecode('00ABff')).toEqual(new Uint8Array([0, 0xab, 0xff]));
  });

  it('refuses odd length, prefixes, whitespace and other characters', () => {
    for (const bad of ['0', 'abc', '0x00', 'zz', '00 ', 'g0', '٠٠']) rejects(() => hexDecode(bad));
  });
});

describe('utf8', () => {
  it('round-trips text and keeps a byte-order mark', () => {
    expect(utf8Decode(utf8Encode('h\u00e9llo \u{1f600}'))).toBe('h\u00e9llo \u{1f600}');
    expect(utf8Decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x41]))).toBe('\ufeffA');
  });

  it('refuses lone surrogates and invalid UTF-8', () => {
    rejects(() => utf8Encode('a\ud800b'));
    rejects(() => utf8Encode('\udc00'));
    for (const bad of [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0x80]]) {
      rejects(() => utf8Decode(new Uint8Array(bad)));
    }
  });
});

describe('properties', () => {
  const bytes = fc.uint8Array({ maxLength: 200 });

  it('every codec round-trips every byte string', () => {
    fc.assert(
      fc.property(bytes, (b) => {
        expect(base64Decode(base64Encode(b))).toEqual(b);
        expect(base64UrlDecode(base64UrlEncode(b))).toEqual(b);
        expect(hexDecode(hexEncode(b))).toEqual(b);
        expect(hexDecode(hexEncode(b).toUpperCase())).toEqual(b);
      }),
    );
  });

  it('encodings are canonical: decoding then encoding gives the same text back', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'),
        }),
        (s) => {
          let decoded: Uint8Array;
          try {
            decoded = base64UrlDecode(s);
          } catch (error) {
            expect(CodecError.isInstance(error)).toBe(true);
            return;
          }
          expect(base64UrlEncode(decoded)).toBe(s);
        },
      ),
    );
  });

  it('well-formed strings round-trip through UTF-8', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(utf8Decode(utf8Encode(s))).toBe(s);
      }),
    );
  });

  it('random input into every decoder returns or throws CodecError, nothing else', () => {
    const decoders: ((s: string) => unknown)[] = [base64Decode, base64UrlDecode, hexDecode];
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.string({ unit: fc.constantFrom(...'AZaz09+/-_= \n\u00e9') }),
        ),
        (s) => {
          for (const decode of decoders) {
            try {
              expect(decode(s)).toBeInstanceOf(Uint8Array);
            } catch (error) {
              expect(CodecError.isInstance(error)).toBe(true);
            }
          }
          try {
            utf8Encode(s);
          } catch (error) {
            expect(CodecError.isInstance(error)).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        try {
          expect(typeof utf8Decode(b)).toBe('string');
        } catch (error) {
          expect(CodecError.isInstance(error)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
