import { describe, expect, it, vi } from 'vitest';
import pkg from '../package.json' with { type: 'json' };
import { detectRuntime, randomId, toFormData, userAgent, VERSION } from '../src/index.ts';

describe('version and User-Agent', () => {
  it('VERSION equals package.json version', () => {
    expect(VERSION).toBe(pkg.version);
  });

  it('names the package, version and runtime, after an optional product token', () => {
    expect(userAgent()).toBe(`x-http-core/${pkg.version} ${detectRuntime()}`);
    expect(userAgent('x-airlock/1.2.3')).toBe(
      `x-airlock/1.2.3 x-http-core/${pkg.version} ${detectRuntime()}`,
    );
    expect(detectRuntime()).toMatch(/^(node\/\d+\.\d+\.\d+|edge-runtime)$/);
  });
});

describe('randomId', () => {
  it('is a fresh UUID where crypto.randomUUID exists', () => {
    const ids = new Set(Array.from({ length: 50 }, () => randomId()));
    expect(ids.size).toBe(50);
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('is 128 random bits in hex where randomUUID is missing (insecure browser contexts)', () => {
    const real = globalThis.crypto;
    const getRandomValues = (bytes: Uint8Array) => real.getRandomValues(bytes);
    vi.stubGlobal('crypto', { getRandomValues });
    try {
      const [a, b] = [randomId(), randomId()];
      expect(a).toMatch(/^[0-9a-f]{32}$/);
      expect(a).not.toBe(b);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('toFormData', () => {
  it('builds fields and files, repeating arrays and skipping empty values', async () => {
    const form = toFormData({
      folder: 'docs',
      public: true,
      size: 3,
      tags: ['a', 'b'],
      skip: undefined,
      file: { data: new TextEncoder().encode('hello'), filename: 'a.txt', contentType: 'text/plain' },
      blob: new Blob(['x'], { type: 'application/json' }),
    });
    expect(form.get('folder')).toBe('docs');
    expect(form.get('public')).toBe('true');
    expect(form.getAll('tags')).toEqual(['a', 'b']);
    expect(form.has('skip')).toBe(false);
    const file = form.get('file') as File;
    expect(file.name).toBe('a.txt');
    expect(file.type).toBe('text/plain');
    expect(await file.text()).toBe('hello');
    expect((form.get('blob') as File).type).toBe('application/json');
  });
});
