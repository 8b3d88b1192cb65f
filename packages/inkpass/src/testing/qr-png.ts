/**
 * The QR code of the 2FA provisioning URI as inkPass sends it: a `data:image/png;base64,…` string,
 * black modules on white, 10 pixels per module with a 4-module quiet zone.
 *
 * @module
 */
import { crc32, deflateSync } from 'node:zlib';
import { encode } from 'uqr';

const PIXELS_PER_MODULE = 10;
const QUIET_ZONE_MODULES = 4;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** A QR code of `text` as an 8-bit grayscale PNG in a data URL. */
export function qrCodeDataUrl(text: string): string {
  const modules = encode(text, { border: QUIET_ZONE_MODULES }).data;
  const side = modules.length * PIXELS_PER_MODULE;
  // Each scanline: filter type 0 (none), then one byte per pixel (0 black, 255 white).
  const raw = Buffer.alloc(side * (side + 1), 255);
  for (let y = 0; y < side; y++) {
    const line = y * (side + 1);
    raw[line] = 0;
    const row = modules[Math.floor(y / PIXELS_PER_MODULE)]!;
    for (let x = 0; x < side; x++) if (row[Math.floor(x / PIXELS_PER_MODULE)]) raw[line + 1 + x] = 0;
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // grayscale
  const png = Buffer.concat([
    Buffer.from(PNG_SIGNATURE),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
  return `data:image/png;base64,${png.toString('base64')}`;
}
