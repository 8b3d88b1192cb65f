/**
 * Address checks for the external proxy's SSRF filter. Pure functions (no DNS), so they run anywhere and
 * are tested directly: every IPv4 spelling `inet_aton` accepts (decimal, hex, octal, short forms) and every
 * IPv6 form (compressed, IPv4-mapped, IPv4-compatible, NAT64, 6to4, zone ids) is reduced to its bytes.
 *
 * @module
 */

/** Parses an IPv4 literal in any `inet_aton` form (`127.0.0.1`, `2130706433`, `0x7f.1`, `0177.0.0.01`). */
export function parseIPv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length === 0 || parts.length > 4 || parts.some((p) => p === '')) return undefined;
  const numbers: number[] = [];
  for (const part of parts) {
    let value: number;
    if (/^0x[0-9a-f]*$/i.test(part)) value = part.length === 2 ? 0 : Number.parseInt(part.slice(2), 16);
    else if (/^0[0-7]+$/.test(part)) value = Number.parseInt(part.slice(1), 8);
    else if (/^(0|[1-9][0-9]*)$/.test(part)) value = Number(part);
    else return undefined;
    if (!Number.isSafeInteger(value)) return undefined;
    numbers.push(value);
  }
  const last = numbers.pop()!;
  if (numbers.some((n) => n > 255)) return undefined;
  const room = 4 - numbers.length;
  if (last >= 2 ** (8 * room)) return undefined;
  const bytes = new Uint8Array(4);
  numbers.forEach((n, i) => {
    bytes[i] = n;
  });
  for (let i = 3, rest = last; i >= numbers.length; i--, rest = Math.floor(rest / 256)) bytes[i] = rest % 256;
  return bytes;
}

/** Parses an IPv6 literal (brackets and a `%zone` allowed) into its 16 bytes. */
export function parseIPv6(text: string): Uint8Array | undefined {
  let s = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!s.includes(':')) return undefined;
  const lastColon = s.lastIndexOf(':');
  const maybeV4 = s.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    // The dotted tail (e.g. ::ffff:127.0.0.1) becomes two hex groups; only the strict dotted form is valid.
    if (!/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(maybeV4)) return undefined;
    const v4 = maybeV4.split('.').map(Number);
    if (v4.some((n) => n > 255)) return undefined;
    const hex = (a: number, b: number) => (a * 256 + b).toString(16);
    s = `${s.slice(0, lastColon + 1)}${hex(v4[0]!, v4[1]!)}:${hex(v4[2]!, v4[3]!)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const group = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined;
      out.push(Number.parseInt(g, 16));
    }
    return out;
  };
  const head = group(halves[0]!);
  const rest = halves.length === 2 ? group(halves[1]!) : [];
  if (!head || !rest) return undefined;
  const given = [...head, ...rest];
  let words: number[];
  if (halves.length === 2) {
    if (given.length > 7) return undefined;
    words = [...head, ...new Array(8 - given.length).fill(0), ...rest];
  } else {
    if (given.length !== 8) return undefined;
    words = given;
  }
  const bytes = new Uint8Array(16);
  words.forEach((w, i) => {
    bytes[2 * i] = w >> 8;
    bytes[2 * i + 1] = w & 0xff;
  });
  return bytes;
}

/** Parses an IP literal of either family, or `undefined` when `host` is a name. */
export function parseIpLiteral(host: string): Uint8Array | undefined {
  return parseIPv6(host) ?? parseIPv4(host);
}

type Range = readonly [prefix: readonly number[], bits: number, reason: string];

const v4Ranges: readonly Range[] = [
  [[0], 8, 'the "this network" range'],
  [[10], 8, 'a private address'],
  [[100, 64], 10, 'a carrier-grade NAT address'],
  [[127], 8, 'a loopback address'],
  [[169, 254], 16, 'a link-local (cloud metadata) address'],
  [[172, 16], 12, 'a private address'],
  [[192, 0, 0], 24, 'an IETF protocol address'],
  [[192, 0, 2], 24, 'a documentation address'],
  [[192, 88, 99], 24, 'a 6to4 relay address'],
  [[192, 168], 16, 'a private address'],
  [[198, 18], 15, 'a benchmarking address'],
  [[198, 51, 100], 24, 'a documentation address'],
  [[203, 0, 113], 24, 'a documentation address'],
  [[224], 4, 'a multicast address'],
  [[240], 4, 'a reserved or broadcast address'],
];

const v6Ranges: readonly Range[] = [
  [[0x01, 0x00, 0, 0, 0, 0, 0, 0], 64, 'a discard-only address'],
  [[0x20, 0x01, 0x0d, 0xb8], 32, 'a documentation address'],
  [[0x20, 0x01, 0x00, 0x00], 32, 'a Teredo tunnel address'],
  [[0x20, 0x01, 0x00, 0x10], 28, 'an ORCHID address'],
  [[0xfc], 7, 'a unique-local (private) address'],
  [[0xfe, 0x80], 10, 'a link-local address'],
  [[0xfe, 0xc0], 10, 'a site-local address'],
  [[0xff], 8, 'a multicast address'],
];

function inRange(bytes: Uint8Array, [prefix, bits]: Range): boolean {
  for (let i = 0; i < bits; i++) {
    const byte = Math.floor(i / 8);
    const mask = 0x80 >> (i % 8);
    if (((bytes[byte] ?? 0) & mask) !== ((prefix[byte] ?? 0) & mask)) return false;
  }
  return true;
}

function v4Reason(bytes: Uint8Array): string | undefined {
  return v4Ranges.find((r) => inRange(bytes, r))?.[2];
}

/**
 * Why an address must not be reached by the external proxy (loopback, private, link-local / metadata,
 * CGNAT, multicast, reserved, documentation, and the IPv6 equivalents including IPv4 embedded in
 * IPv4-mapped, IPv4-compatible, NAT64 and 6to4 addresses), or `undefined` when it is a public address.
 * Anything that is not an IP literal is refused too.
 *
 * @example
 * ```ts
 * blockedAddressReason('::ffff:127.0.0.1'); // 'a loopback address'
 * blockedAddressReason('93.184.216.34'); // undefined
 * ```
 */
export function blockedAddressReason(address: string): string | undefined {
  const bytes = parseIpLiteral(address);
  if (!bytes) return 'not an IP address';
  if (bytes.length === 4) return v4Reason(bytes);
  const zeros = (from: number, to: number) => bytes.subarray(from, to).every((b) => b === 0);
  if (zeros(0, 16)) return 'the unspecified address';
  if (zeros(0, 15) && bytes[15] === 1) return 'a loopback address';
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), 64:ff9b::a.b.c.d and 64:ff9b:1::/48 (NAT64).
  const mapped = zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff;
  const compatible = zeros(0, 12);
  const nat64 = bytes[0] === 0 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b;
  if (mapped || compatible || (nat64 && zeros(4, 12))) return v4Reason(bytes.subarray(12)) ?? undefined;
  if (nat64) return 'a NAT64 address';
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return v4Reason(bytes.subarray(2, 6)) ?? 'a 6to4 address';
  return v6Ranges.find((r) => inRange(bytes, r))?.[2];
}
