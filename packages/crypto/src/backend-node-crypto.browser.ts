/**
 * What `#node-crypto-backend` is in browser bundles (the `browser` condition): browsers never have node:crypto,
 * so its code stays out of them. The backend is still there, as the one the other runtimes report when
 * node:crypto is absent: {@link CryptoBackend.supports} resolves `false` and a forced call rejects with
 * `CryptoError` `unsupported`. The automatic backend then uses WebCrypto, or noble, as everywhere else.
 *
 * @module
 */
import type { CryptoBackend } from './backend-types.ts';

/** The node:crypto backend as browsers see it: never available (see `backend-node-crypto.ts`). */
export const nodeCryptoBackend: CryptoBackend = { name: 'node-crypto', supports: async () => false };
