import { describe, expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };
import { detectRuntime, toFormData, userAgent, VERSION } from '../src/index.ts';

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
