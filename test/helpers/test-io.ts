import { PassThrough } from 'node:stream';
import type { Io } from '../../src/io.js';
import { main } from '../../src/cli.js';

export interface TestIo extends Io {
  out(): string;
  err(): string;
}

/** An in-memory Io: captures stdout/stderr, fixed env and cwd. */
export function createTestIo(
  options: {
    env?: Record<string, string>;
    cwd?: string;
    isTTY?: boolean;
    /** Aborts the signal (as Ctrl-C would) once stdout satisfies this: for commands that run until stopped. */
    stopWhen?: (stdout: string) => boolean;
  } = {},
): TestIo {
  let out = '';
  let err = '';
  const controller = new AbortController();
  return {
    stdout: {
      write: (chunk: string) => {
        out += chunk;
        if (options.stopWhen?.(out) === true && !controller.signal.aborted) setImmediate(() => controller.abort('SIGINT'));
        return true;
      },
      isTTY: options.isTTY ?? false,
      columns: 120,
    },
    stderr: { write: (chunk: string) => ((err += chunk), true), isTTY: false },
    stdin: new PassThrough(),
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    execPath: process.execPath,
    now: () => Date.now(),
    signal: controller.signal,
    out: () => out,
    err: () => err,
  };
}

/** Runs the CLI in-process, as a user would type it, and returns what it printed. */
export async function runCli(
  argv: string[],
  options: Parameters<typeof createTestIo>[0] = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = createTestIo(options);
  const code = await main(argv, io);
  return { code, stdout: io.out(), stderr: io.err() };
}
