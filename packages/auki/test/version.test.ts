// The VERSION sent in the User-Agent matches package.json.
import { expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };
import { VERSION } from '../src/index.ts';

it('VERSION equals package.json version', () => {
  expect(VERSION).toBe(pkg.version);
});
