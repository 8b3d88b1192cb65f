import { VERSION } from './version.ts';

/** Whether the code runs in a browser, where `User-Agent` cannot be set. */
export function isBrowser(): boolean {
  const g = globalThis as any;
  return typeof g.window === 'object' && typeof g.document === 'object' && !g.process?.versions?.node;
}

/**
 * Names the JavaScript runtime that actually runs, through feature checks on `globalThis` only (no Node
 * globals, so the same code runs everywhere): `workerd` (Cloudflare Workers, `navigator.userAgent` is
 * `Cloudflare-Workers`, even with `nodejs_compat`), `edge-runtime`, `bun/1.4.4`, `deno/2.9.6`,
 * `node/20.20.2`, `browser` or `unknown`.
 */
export function detectRuntime(): string {
  const g = globalThis as any;
  // First: workerd with nodejs_compat has a `process` that reports a Node version.
  if (g.navigator?.userAgent === 'Cloudflare-Workers') return 'workerd';
  if (typeof g.EdgeRuntime === 'string') return 'edge-runtime';
  if (g.Bun?.version) return `bun/${g.Bun.version}`;
  if (g.Deno?.version?.deno) return `deno/${g.Deno.version.deno}`;
  // Bun and Deno also report a Node version (the one they are compatible with): they are asked first.
  if (g.process?.versions?.node) return `node/${g.process.versions.node}`;
  if (isBrowser()) return 'browser';
  return 'unknown';
}

/**
 * The client's identification: `x-http-core/<version> <runtime>`, after an optional product token of
 * the service package (e.g. `x-airlock/1.0.0`).
 */
export function userAgent(product?: string): string {
  return `${product ? `${product} ` : ''}x-http-core/${VERSION} ${detectRuntime()}`;
}
