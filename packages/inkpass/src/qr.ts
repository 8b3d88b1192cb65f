/**
 * The 2FA provisioning URI as a QR code drawn on the client, for showing it without the server's PNG (or
 * in a terminal). The QR encoder (`uqr`) is loaded on first use, so bundles that never draw one do not
 * carry it up front.
 *
 * @module
 */
import { invalidInput } from './errors.ts';

/** Options of {@link twoFactorQrCode}. */
export interface TwoFactorQrCodeOptions {
  /**
   * `svg` (default): a standalone SVG document, black modules on white, for a page (`innerHTML`, or a
   * `data:image/svg+xml` URL). `text`: Unicode half blocks, two module rows per line, light modules drawn as
   * blocks, for a terminal with a dark background.
   */
  format?: 'svg' | 'text';
  /** Quiet zone around the code, in modules (default 4, what scanners expect). */
  border?: number;
  /** SVG only: the side of one module in SVG units (default 8). */
  moduleSize?: number;
}

/**
 * Draws the `otpauth://` URI of {@link InkPassClient.setupTwoFactor} as a QR code an authenticator app scans.
 * A value that is not an `otpauth://` URI (the base32 secret passed by mistake, say) is a `ValidationError`.
 *
 * @example
 * ```ts
 * const { secret, uri } = await client.setupTwoFactor(token);
 * element.innerHTML = await twoFactorQrCode(uri); // or console.log(await twoFactorQrCode(uri, { format: 'text' }))
 * ```
 */
export async function twoFactorQrCode(uri: string, options: TwoFactorQrCodeOptions = {}): Promise<string> {
  if (typeof uri !== 'string' || !/^otpauth:\/\/[th]otp\//i.test(uri)) {
    throw invalidInput('uri', 'must be the otpauth:// provisioning URI of setupTwoFactor.');
  }
  const border = options.border ?? 4;
  const { renderSVG, renderUnicodeCompact } = await import('uqr');
  if (options.format === 'text') return renderUnicodeCompact(uri, { border });
  return renderSVG(uri, { border, pixelSize: options.moduleSize ?? 8 });
}
