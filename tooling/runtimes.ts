/**
 * Real Bun, Deno and workerd (Cloudflare Workers, through Miniflare) for tests (Node only): bundles a test
 * module with esbuild the way that runtime resolves packages, starts the runtime on it and calls the module's
 * exports there. The test process (Node) starts the package's fake server on loopback; the module, running
 * in the other runtime, talks to it over real sockets.
 *
 * The binaries come from npm packages (`bun`, `deno`, `miniflare` → `workerd`), never a download of their
 * own; `BUN_PATH` / `DENO_PATH` point elsewhere. A missing runtime is an error, never a skip.
 *
 * The vitest projects `bun`, `deno` and `workerd` (see vitest.config.ts) run the files named
 * `*.runtimes.test.ts`; such a file reads its runtime with `inject('runtime')`.
 *
 * @example
 * ```ts
 * const module = await openRuntime(inject('runtime'), new URL('./runtimes/client.ts', import.meta.url));
 * try {
 *   expect(await module.call('roundTrip', fake.url)).toEqual({ ok: true });
 * } finally {
 *   await module.close();
 * }
 * ```
 *
 * @module
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type {} from 'vitest';
import { sourceCondition } from './vitest.config.ts';

/** A JavaScript runtime the tests run package code in besides Node, the edge VM and Chromium. */
export type Runtime = 'bun' | 'deno' | 'workerd';

/** Every {@link Runtime}, in the order the vitest projects are listed. */
export const RUNTIMES: readonly Runtime[] = ['bun', 'deno', 'workerd'];

declare module 'vitest' {
  export interface ProvidedContext {
    /** The runtime of the project running a `*.runtimes.test.ts` file. */
    runtime: Runtime;
  }
}

/**
 * Export conditions as each runtime (or its usual bundler) resolves them: Bun and Deno take `node` packages
 * (they implement `node:` modules), wrangler bundles for workerd with `workerd`, `worker` and `browser`.
 */
const CONDITIONS: Record<Runtime, string[]> = {
  bun: [sourceCondition, 'bun', 'node', 'import', 'module'],
  deno: [sourceCondition, 'deno', 'node', 'import', 'module'],
  workerd: [sourceCondition, 'workerd', 'worker', 'browser', 'import', 'module'],
};

/**
 * How @x/http-core's `detectRuntime()` names each runtime (the last word of the `User-Agent`): `bun/1.4.4`,
 * `deno/2.9.6`, `workerd`. Matches the whole name.
 */
export const RUNTIME_NAMES: Readonly<Record<Runtime, RegExp>> = {
  bun: /^bun\/\d+\.\d+\.\d+$/,
  deno: /^deno\/\d+\.\d+\.\d+$/,
  workerd: /^workerd$/,
};

/** The runtime's name as the last word of a `User-Agent` header (see {@link RUNTIME_NAMES}). */
export function userAgentRuntime(userAgent: string | undefined): string | undefined {
  return userAgent?.split(' ').at(-1);
}

/** A compatibility date workerd of the pinned Miniflare supports; no `nodejs_compat`: the default entries need none. */
const COMPATIBILITY_DATE = '2025-09-01';

/** A test module running in a runtime (see {@link openRuntime}). */
export interface RuntimeModule {
  /** The runtime. */
  runtime: Runtime;
  /** `navigator.userAgent` inside the runtime, e.g. `Bun/1.4.4`, `Deno/2.9.6`, `Cloudflare-Workers`. */
  userAgent: string;
  /** Milliseconds from the start of the bundle to the module answering its first call. */
  startMs: number;
  /**
   * Calls the module's export `name` with `args` inside the runtime and resolves with what it returns
   * (awaited). Arguments and results cross as JSON; a throw there rejects here with its name, code and message.
   */
  call<T = unknown>(name: string, ...args: unknown[]): Promise<T>;
  /** Stops the runtime. */
  close(): Promise<void>;
}

/** What the wrapper answers for one call. */
type Answer = { id?: number; ok: true; value: unknown } | { id?: number; ok: false; error: WireError };
interface WireError {
  name: string;
  message: string;
  code?: unknown;
  stack?: string;
}

/** Shared by both wrappers: call an export, describe a throw. */
const CALL_SOURCE = `
import * as testModule from 'x-runtime-entry';
async function callExport(name, args) {
  try {
    if (name === '@userAgent') return { ok: true, value: globalThis.navigator?.userAgent ?? '' };
    const fn = testModule[name];
    if (typeof fn !== 'function') throw new Error('The test module exports no function ' + name);
    return { ok: true, value: await fn(...args) };
  } catch (error) {
    return { ok: false, error: { name: error?.name ?? typeof error, message: String(error?.message ?? error), code: error?.code, stack: error?.stack } };
  }
}`;

/** Bun and Deno: one JSON call per stdin line, one answer per stdout line after a marker. */
const PROCESS_WRAPPER = `${CALL_SOURCE}
const MARK = '@@x-runtime ';
const input = globalThis.Deno ? globalThis.Deno.stdin.readable : globalThis.Bun.stdin.stream();
const decoder = new TextDecoder();
let buffer = '';
for await (const chunk of input) {
  buffer += decoder.decode(chunk, { stream: true });
  for (let end = buffer.indexOf('\\n'); end >= 0; end = buffer.indexOf('\\n')) {
    const { id, name, args } = JSON.parse(buffer.slice(0, end));
    buffer = buffer.slice(end + 1);
    callExport(name, args).then((answer) => console.log(MARK + JSON.stringify({ id, ...answer })));
  }
}`;

/** workerd: one JSON call per POST. */
const WORKER_WRAPPER = `${CALL_SOURCE}
export default {
  async fetch(request) {
    const { name, args } = await request.json();
    return Response.json(await callExport(name, args));
  },
};`;

/** The path of a binary inside a platform package that `wrapper` (an npm package of tooling) depends on. */
function platformBinary(wrapper: string, platformPackage: (arch: string) => string, file: string): string {
  const arch = { x64: 'x64', arm64: 'arm64' }[process.arch as string];
  if (process.platform !== 'linux' || !arch) {
    throw new Error(
      `The ${wrapper} tests support Linux x64/arm64 only here (this is ${process.platform}/${process.arch}).`,
    );
  }
  const fromTooling = createRequire(import.meta.url);
  const fromWrapper = createRequire(fromTooling.resolve(`${wrapper}/package.json`));
  try {
    return join(dirname(fromWrapper.resolve(`${platformPackage(arch)}/package.json`)), file);
  } catch (cause) {
    throw new Error(
      `${wrapper}'s binary package ${platformPackage(arch)} is not installed: run pnpm install (it is an optional dependency of ${wrapper}).`,
      { cause },
    );
  }
}

/** The Bun binary: `BUN_PATH`, or the one the `bun` npm package installed. */
export function bunPath(): string {
  return (
    process.env.BUN_PATH ||
    platformBinary('bun', (arch) => `@oven/bun-linux-${arch === 'arm64' ? 'aarch64' : arch}`, 'bin/bun')
  );
}

/** The Deno binary: `DENO_PATH`, or the one the `deno` npm package installed. */
export function denoPath(): string {
  return process.env.DENO_PATH || platformBinary('deno', (arch) => `@deno/linux-${arch}-glibc`, 'deno');
}

/**
 * The versions of the runtimes the tests drive (`bun --version`, `deno --version`, and the workerd build
 * Miniflare carries), each run or read here: throws when one is missing. `.ci/run` prints them.
 */
export function runtimeVersions(): Record<Runtime, string> {
  const fromTooling = createRequire(import.meta.url);
  const fromMiniflare = createRequire(fromTooling.resolve('miniflare'));
  const workerd = JSON.parse(readFileSync(fromMiniflare.resolve('workerd/package.json'), 'utf8')) as {
    version: string;
  };
  return {
    bun: execFileSync(bunPath(), ['--version'], { encoding: 'utf8' }).trim(),
    deno: execFileSync(denoPath(), ['--version'], { encoding: 'utf8' }).split('\n')[0]!.trim(),
    workerd: workerd.version,
  };
}

/** Bundles `entry` behind the runtime's wrapper into one ESM file. */
async function bundle(runtime: Runtime, entry: string): Promise<string> {
  const result = await build({
    stdin: {
      contents: runtime === 'workerd' ? WORKER_WRAPPER : PROCESS_WRAPPER,
      resolveDir: dirname(entry),
      sourcefile: `x-runtime-${runtime}.js`,
      loader: 'js',
    },
    alias: { 'x-runtime-entry': entry },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    target: 'es2022',
    conditions: CONDITIONS[runtime],
    // Bun and Deno implement Node's built-in modules; in workerd (no nodejs_compat) one fails the bundle.
    // Bun also serves its own `undici` for any import of it: left to Bun, as an installed package would be.
    external: { bun: ['node:*', 'undici'], deno: ['node:*'], workerd: [] }[runtime],
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/**
 * Bundles the test module `entry` for `runtime` (workspace packages resolve to `src/` through the
 * `@x/source` condition, third-party packages through the runtime's own conditions), starts the runtime on it
 * and resolves once the module answers. Rejects when the runtime is missing or the module fails to load.
 */
export async function openRuntime(runtime: Runtime, entry: string | URL): Promise<RuntimeModule> {
  const started = performance.now();
  const entryPath = entry instanceof URL ? fileURLToPath(entry) : entry;
  const code = await bundle(runtime, entryPath);
  const opened = runtime === 'workerd' ? await openWorkerd(code) : await openProcess(runtime, code);
  try {
    const userAgent = await opened.call<string>('@userAgent');
    return { runtime, userAgent, startMs: Math.round(performance.now() - started), ...opened };
  } catch (error) {
    await opened.close();
    throw error;
  }
}

type Opened = Pick<RuntimeModule, 'call' | 'close'>;

function settle<T>(answer: Answer, runtime: Runtime): T {
  if (answer.ok) return answer.value as T;
  const error = new Error(`in ${runtime}: ${answer.error.name}: ${answer.error.message}`);
  Object.assign(error, { name: answer.error.name, code: answer.error.code, remoteStack: answer.error.stack });
  throw error;
}

async function openProcess(runtime: 'bun' | 'deno', code: string): Promise<Opened> {
  const dir = await mkdtemp(join(tmpdir(), `x-${runtime}-`));
  const file = join(dir, 'entry.mjs');
  await writeFile(file, code);
  const [command, args] =
    runtime === 'bun'
      ? [bunPath(), ['run', '--no-install', file]]
      : // Deno: network to loopback only, no prompts, no config or lock file lookups, no cache writes.
        [denoPath(), ['run', '--no-prompt', '--no-config', '--no-lock', '--allow-net=127.0.0.1', file]];
  const child: ChildProcess = spawn(command, args, {
    cwd: dir,
    stdio: ['pipe', 'pipe', 'pipe'],
    // No update checks or telemetry: the machine reaches nothing but the package registries.
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      DENO_DIR: join(dir, '.deno'),
      DENO_NO_UPDATE_CHECK: '1',
      DO_NOT_TRACK: '1',
      NO_COLOR: '1',
    },
  });
  const pending = new Map<number, { resolve: (answer: Answer) => void; reject: (error: Error) => void }>();
  let stderr = '';
  let exited: Error | undefined;
  const fail = (error: Error) => {
    exited = error;
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  child.on('error', (error) => fail(new Error(`${runtime} did not start (${command}): ${error.message}`)));
  child.on('exit', (status, signal) =>
    fail(new Error(`${runtime} exited (${signal ?? status}) before answering. Its stderr:\n${stderr}`)),
  );
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  let stdout = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
    for (let end = stdout.indexOf('\n'); end >= 0; end = stdout.indexOf('\n')) {
      const line = stdout.slice(0, end);
      stdout = stdout.slice(end + 1);
      if (!line.startsWith('@@x-runtime ')) continue;
      const answer = JSON.parse(line.slice('@@x-runtime '.length)) as Answer;
      pending.get(answer.id!)?.resolve(answer);
      pending.delete(answer.id!);
    }
  });
  let next = 0;
  return {
    call: async <T>(name: string, ...args: unknown[]) => {
      if (exited) throw exited;
      const id = ++next;
      const answer = await new Promise<Answer>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.stdin!.write(`${JSON.stringify({ id, name, args })}\n`);
      });
      return settle<T>(answer, runtime);
    },
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((resolve) => child.once('exit', resolve));
        child.stdin!.end();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await gone;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function openWorkerd(code: string): Promise<Opened> {
  const { Miniflare } = await import('miniflare');
  const mf = new Miniflare({
    modules: true,
    script: code,
    compatibilityDate: COMPATIBILITY_DATE,
  });
  await mf.ready;
  return {
    call: async <T>(name: string, ...args: unknown[]) => {
      const response = await mf.dispatchFetch('http://worker.test/', {
        method: 'POST',
        body: JSON.stringify({ name, args }),
      });
      return settle<T>((await response.json()) as Answer, 'workerd');
    },
    close: () => mf.dispose(),
  };
}
