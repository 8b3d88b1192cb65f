/**
 * A real terminal for the tests: the program runs in a tmux pane (a pseudo-terminal), the test types keys
 * and reads the screen, as a person would. Every wait polls the screen with a generous deadline, so a
 * loaded machine only makes the tests slower.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
let sessions = 0;

/** Options of {@link Terminal.start}. */
export interface TerminalOptions {
  /** Environment variables for the program. */
  env?: Record<string, string>;
  /** Working directory. */
  cwd?: string;
  /** Columns (default 120). */
  width?: number;
  /** Rows (default 50). */
  height?: number;
}

/** A program running in a tmux pane. */
export class Terminal {
  readonly #socket: string;

  private constructor(socket: string) {
    this.#socket = socket;
  }

  /** Starts `command` in a new detached tmux server of its own; a shell around it prints its exit status. */
  static async start(command: string[], options: TerminalOptions = {}): Promise<Terminal> {
    const socket = `enforcer-test-${process.pid}-${++sessions}`;
    const terminal = new Terminal(socket);
    const env = Object.entries(options.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    await terminal.tmux(
      'new-session',
      '-d',
      '-s',
      'main',
      '-x',
      String(options.width ?? 120),
      '-y',
      String(options.height ?? 50),
      ...(options.cwd ? ['-c', options.cwd] : []),
      ...env,
      '--',
      'sh',
      '-c',
      '"$@"; echo "[exited with $?]"',
      'sh',
      ...command,
      ';',
      'set-option',
      '-t',
      'main',
      'remain-on-exit',
      'on',
      ';',
      'set-option',
      '-t',
      'main',
      'history-limit',
      '5000',
    );
    return terminal;
  }

  /** Runs a tmux command on this terminal's server. */
  async tmux(...args: string[]): Promise<string> {
    const { stdout } = await run('tmux', ['-u', '-f', '/dev/null', '-L', this.#socket, ...args], {
      env: { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' },
    });
    return stdout;
  }

  /** Everything the program printed that is still in the pane (scrollback and screen), lines trimmed. */
  async screen(): Promise<string> {
    const text = await this.tmux('capture-pane', '-p', '-J', '-S', '-5000', '-t', 'main');
    return text
      .split('\n')
      .map((line) => line.trimEnd())
      .join('\n');
  }

  /** How many times `pattern` is on the screen now. */
  async count(pattern: string | RegExp): Promise<number> {
    return countIn(await this.screen(), pattern);
  }

  /**
   * Waits until `pattern` is on the screen at least `times` times (default once); returns the screen.
   * Fails with the screen in the message after `timeout` ms (default 60 s).
   */
  async waitFor(
    pattern: string | RegExp,
    options: { times?: number; timeout?: number } = {},
  ): Promise<string> {
    const deadline = Date.now() + (options.timeout ?? 60_000);
    const times = options.times ?? 1;
    for (;;) {
      const screen = await this.screen();
      if (countIn(screen, pattern) >= times) return screen;
      if (Date.now() > deadline)
        throw new Error(`Timed out waiting for ${String(pattern)} (×${times}). Screen:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }

  /** Types text literally (no Enter). */
  async type(text: string): Promise<void> {
    await this.tmux('send-keys', '-t', 'main', '-l', text);
  }

  /** Presses keys by tmux name (`Enter`, `Down`, `C-c`, …). */
  async press(...keys: string[]): Promise<void> {
    await this.tmux('send-keys', '-t', 'main', ...keys);
  }

  /** Types an answer to the prompt that asks `question` (waiting for it first) and presses Enter. */
  async answer(question: string | RegExp, text: string): Promise<void> {
    await this.waitForPrompt(question);
    if (text) await this.type(text);
    await this.#submit(question);
  }

  /** Waits until the active prompt (clack's `◆` line) shows `question`. */
  async waitForPrompt(question: string | RegExp): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const screen = await this.screen();
      const active = activePrompt(screen);
      if (active?.state === 'active' && matches(active.title, question)) return;
      if (Date.now() > deadline)
        throw new Error(`Timed out waiting for the prompt ${String(question)}. Screen:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }

  /** How many answered (`◇`) or cancelled (`■`) prompts asking `question` are on the screen. */
  async #answered(question: string | RegExp): Promise<number> {
    return (await this.screen()).split('\n').filter((line) => {
      const mark = /^[◇■]\s+(.*)$/.exec(line);
      return mark !== null && matches(mark[1]!, question);
    }).length;
  }

  /** Presses Enter on the open prompt asking `question` and waits until the program took the answer. */
  async #submit(question: string | RegExp): Promise<void> {
    // Counting answered prompts, not looking for an open one: the same question may be asked again at once.
    const before = await this.#answered(question);
    await this.press('Enter');
    const deadline = Date.now() + 60_000;
    while ((await this.#answered(question)) <= before) {
      if (Date.now() > deadline)
        throw new Error(`The prompt ${String(question)} stayed open. Screen:\n${await this.screen()}`);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }

  /**
   * Picks `label` in the select prompt asking `question`: presses the arrow keys as many times as needed,
   * waits until the screen shows the choice, then presses Enter.
   */
  async choose(question: string | RegExp, label: string): Promise<void> {
    await this.waitForPrompt(question);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { screen, current, target } = await this.#menuPosition(label);
      if (current === target) break;
      if (Date.now() > deadline) throw new Error(`Could not move to "${label}". Screen:\n${screen}`);
      if (current !== -1) {
        const key = target > current ? 'Down' : 'Up';
        await this.press(...Array.from({ length: Math.abs(target - current) }, () => key));
        // Let the program catch up before looking again, so no key is pressed twice.
        const settle = Date.now() + 10_000;
        while (Date.now() < settle && (await this.#menuPosition(label)).current !== target)
          await new Promise((resolve) => setTimeout(resolve, 100));
      } else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await this.#submit(question);
  }

  async #menuPosition(label: string): Promise<{ screen: string; current: number; target: number }> {
    const screen = await this.screen();
    const active = activePrompt(screen);
    const options = active?.state === 'active' ? active.lines.filter((line) => /^│\s+[●○]/.test(line)) : [];
    const current = options.findIndex((line) => /^│\s+●/.test(line));
    const target = options.findIndex((line) => line.replace(/^│\s+[●○]\s*/, '').startsWith(label));
    if (target === -1 && options.length > 0)
      throw new Error(`No option "${label}" in the menu. Screen:\n${screen}`);
    return { screen, current, target };
  }

  /** Waits for the program to end; resolves with its exit status. */
  async exitStatus(timeout = 60_000): Promise<number> {
    // The status comes from the wrapping shell: tmux does not always reap a pane's process in time to say.
    const screen = await this.waitFor(/\[exited with \d+\]/, { timeout });
    return Number(/\[exited with (\d+)\]/.exec(screen)![1]);
  }

  /** Stops the tmux server (and the program, if still running). */
  async close(): Promise<void> {
    await this.tmux('kill-server').catch(() => {});
  }
}

function matches(text: string, pattern: string | RegExp): boolean {
  return typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text);
}

function countIn(screen: string, pattern: string | RegExp): number {
  if (typeof pattern === 'string') return screen.split(pattern).length - 1;
  const flags = pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`;
  return [...screen.matchAll(new RegExp(pattern.source, flags))].length;
}

/** The last prompt on the screen: clack marks an open one with `◆`, an answered one with `◇`, a cancelled one `■`. */
function activePrompt(
  screen: string,
): { title: string; state: 'active' | 'done'; lines: string[] } | undefined {
  const lines = screen.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    const mark = /^([◆◇■])\s+(.*)$/.exec(line);
    if (mark) {
      return {
        title: mark[2]!,
        state: mark[1] === '◆' ? 'active' : 'done',
        lines: lines.slice(i + 1),
      };
    }
  }
  return undefined;
}
