// twoFactorQrCode: the provisioning URI drawn on the client as SVG or terminal text; each drawing is read
// back into its module matrix and compared with the QR code of the URI.
import { encode } from 'uqr';
import { describe, expect, it } from 'vitest';
import { twoFactorQrCode, ValidationError } from '../src/index.ts';

const URI = 'otpauth://totp/inkPass:ada%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=inkPass';

/** The dark modules of an SVG drawn as one `MX,Yh…` square per module. */
function svgModules(svg: string, side: number, size: number): boolean[][] {
  const grid = Array.from({ length: side }, () => Array<boolean>(side).fill(false));
  for (const [, x, y] of svg.matchAll(/M(\d+),(\d+)h/g)) grid[Number(y) / size]![Number(x) / size] = true;
  return grid;
}

/** The dark modules of half-block text (light drawn, dark left blank): two rows per line. */
function textModules(text: string, side: number): boolean[][] {
  const grid: boolean[][] = [];
  for (const line of text.split('\n')) {
    const chars = [...line];
    const top = chars.map((ch) => ch === ' ' || ch === '▄');
    const bottom = chars.map((ch) => ch === ' ' || ch === '▀');
    grid.push(top, bottom);
  }
  return grid.slice(0, side);
}

describe('twoFactorQrCode', () => {
  it('draws an SVG document of the URI with a 4-module quiet zone', async () => {
    const expected = encode(URI, { border: 4 }).data;
    const svg = await twoFactorQrCode(URI);
    const side = expected.length;
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain(`viewBox="0 0 ${side * 8} ${side * 8}"`);
    expect(svgModules(svg, side, 8)).toEqual(expected);
    // The quiet zone is light all round.
    expect(expected[3]!.every((dark) => !dark) && expected[4]![4]).toBe(true);
    const bigger = await twoFactorQrCode(URI, { moduleSize: 4, border: 2 });
    expect(svgModules(bigger, side - 4, 4)).toEqual(encode(URI, { border: 2 }).data);
  });

  it('draws terminal text of the same code, two module rows per line', async () => {
    const expected = encode(URI, { border: 4 }).data;
    const text = await twoFactorQrCode(URI, { format: 'text' });
    expect(text.split('\n')).toHaveLength(Math.ceil(expected.length / 2));
    expect(textModules(text, expected.length)).toEqual(expected);
  });

  it('refuses what is not an otpauth URI (the secret passed instead of the URI)', async () => {
    const error = await twoFactorQrCode('JBSWY3DPEHPK3PXP').catch((e) => e);
    expect(ValidationError.isInstance(error)).toBe(true);
    expect(error.fieldErrors[0].field).toBe('uri');
  });
});
