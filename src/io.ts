/** The `Io` object: everything a command may touch of the outside world. The only file that touches `process`. */
export interface OutputStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface Io {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly stdin: NodeJS.ReadableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** The Node.js binary running live-assure, to start helper processes (the embedded demo) with. */
  readonly execPath: string;
  /** Wall-clock milliseconds since the epoch. */
  now(): number;
  /** Aborted on SIGINT/SIGTERM/SIGHUP; the handlers are installed only when a command first asks for it. */
  readonly signal: AbortSignal;
}

export function createProcessIo(): Io {
  // Output piped into `head` and the like may close early; that is the reader's choice, not a crash.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
  let controller: AbortController | undefined;
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    execPath: process.execPath,
    now: () => Date.now(),
    get signal(): AbortSignal {
      if (controller === undefined) {
        const created = new AbortController();
        controller = created;
        const stop = (signal: NodeJS.Signals): void => {
          // A second Ctrl-C means "now": give up on a graceful stop.
          if (created.signal.aborted) process.exit(130);
          created.abort(signal);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
        // A closed terminal: stop as gracefully as on Ctrl-C, so the run still writes its summary.
        process.on('SIGHUP', stop);
      }
      return controller.signal;
    },
  };
}

/** Sets the exit code the process ends with once its work has drained (no hard exit that could cut output). */
export function setProcessExitCode(code: number): void {
  process.exitCode = code;
}
