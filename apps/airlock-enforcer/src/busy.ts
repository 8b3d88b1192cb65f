/**
 * Work in progress on the terminal: a spinner line with a message that can change (a countdown), lines
 * printed above it, and Ctrl-C turned into an abort of the work.
 *
 * @module
 */
import { styleText } from 'node:util';
import { S_BAR } from '@clack/prompts';

/** Thrown when the user pressed Ctrl-C (at a prompt or while waiting). */
export class Interrupted extends Error {
  override readonly name = 'Interrupted';
  constructor() {
    super('Interrupted by the user.');
  }
}

/** What the work sees. */
export interface BusyContext {
  /** Aborts when the user presses Ctrl-C. */
  signal: AbortSignal;
  /** Replaces the spinner's message. */
  message(text: string): void;
  /** Prints a line above the spinner. */
  print(text: string): void;
}

const FRAMES = ['◒', '◐', '◓', '◑'];
const CLEAR_LINE = '\r\x1b[2K';

/**
 * Runs `work` under a spinner. Ctrl-C (a raw `\x03` from the terminal, or SIGINT) aborts the work's signal
 * and rejects with {@link Interrupted} at once, even if the work is slow to notice.
 */
export async function busy<T>(message: string, work: (context: BusyContext) => Promise<T>): Promise<T> {
  const out = process.stdout;
  const input = process.stdin;
  const controller = new AbortController();
  let text = message;
  let frame = 0;
  const draw = () => {
    out.write(`${CLEAR_LINE}${styleText('magenta', FRAMES[frame++ % FRAMES.length]!)}  ${text}`);
  };
  let interrupt: () => void = () => {};
  const interrupted = new Promise<never>((_, reject) => {
    interrupt = () => {
      controller.abort(new Interrupted());
      reject(new Interrupted());
    };
  });
  interrupted.catch(() => {});
  const onData = (data: Buffer) => {
    if (data.includes(3)) interrupt();
  };
  const raw = input.isTTY === true;
  if (raw) input.setRawMode(true);
  input.on('data', onData);
  input.resume();
  process.on('SIGINT', interrupt);
  out.write('\x1b[?25l');
  draw();
  const timer = setInterval(draw, 150);
  try {
    return await Promise.race([
      work({
        signal: controller.signal,
        message: (next) => {
          text = next;
          draw();
        },
        print: (line) => {
          out.write(`${CLEAR_LINE}${styleText('gray', S_BAR)}  ${line}\n`);
          draw();
        },
      }),
      interrupted,
    ]);
  } catch (error) {
    if (controller.signal.aborted) throw new Interrupted();
    throw error;
  } finally {
    clearInterval(timer);
    out.write(`${CLEAR_LINE}\x1b[?25h`);
    input.off('data', onData);
    if (raw) input.setRawMode(false);
    input.pause();
    process.off('SIGINT', interrupt);
  }
}
