// What a browser bundler sees: the entry loads no noble code up front (it sits in chunks reached only through
// dynamic import()), no node:crypto backend and no `node:` module anywhere, and no underscore-prefixed noble
// internals in the sources.
import { readdirSync, readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { expect, it } from 'vitest';

const src = new URL('../src/', import.meta.url);

/** The source files esbuild puts in a bundle of the entry resolved with `conditions`. */
async function bundledInputs(conditions: string[]): Promise<string[]> {
  const result = await build({
    entryPoints: [new URL('index.ts', src).pathname],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions,
    mainFields: ['module', 'main'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs).map((input) => input.slice(input.lastIndexOf('/') + 1));
}

it('the browser condition swaps the node:crypto backend for one without code; Node keeps the real one', async () => {
  const browser = await bundledInputs(['@x/source', 'module', 'import', 'browser']);
  expect(browser).toContain('backend-node-crypto.browser.ts');
  expect(browser).not.toContain('backend-node-crypto.ts');
  const node = await bundledInputs(['@x/source', 'module', 'import', 'node']);
  expect(node).toContain('backend-node-crypto.ts');
  expect(node).not.toContain('backend-node-crypto.browser.ts');
});

it('the entry chunk and its static imports hold no @noble code; curves and the rest are lazy chunks', async () => {
  const result = await build({
    entryPoints: [new URL('index.ts', src).pathname],
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['@x/source', 'module', 'import', 'browser'],
    mainFields: ['module', 'main'],
    outdir: '/virtual-out',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const outputs = result.metafile.outputs;
  const entry = Object.keys(outputs).find((out) => outputs[out]!.entryPoint !== undefined)!;
  const upFront = new Set<string>();
  const visit = (out: string) => {
    if (upFront.has(out)) return;
    upFront.add(out);
    for (const imported of outputs[out]!.imports) {
      expect(imported.path.startsWith('node:')).toBe(false);
      if (imported.kind === 'import-statement') visit(imported.path);
    }
  };
  visit(entry);
  const inputsOf = (outs: Iterable<string>) => [...outs].flatMap((out) => Object.keys(outputs[out]!.inputs));
  expect(inputsOf(upFront).filter((input) => input.includes('@noble/'))).toEqual([]);
  const lazy = inputsOf(Object.keys(outputs).filter((out) => !upFront.has(out)));
  for (const module of ['@noble/curves/ed25519.js', '@noble/ciphers/aes.js', '@noble/hashes/sha2.js']) {
    expect(lazy.some((input) => input.endsWith(module))).toBe(true);
  }
});

it('the sources use no underscore-prefixed noble internals and import no node: module', () => {
  const files = readdirSync(src).filter((name) => name.endsWith('.ts'));
  expect(files.length).toBeGreaterThan(10);
  for (const name of files) {
    const text = readFileSync(new URL(name, src), 'utf8');
    expect(text, name).not.toMatch(/@noble\/[a-z]+\/_/);
    expect(text, name).not.toMatch(/\bfrom\s+['"]node:|import\(\s*['"]node:/);
  }
});
