import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';

export interface DaemonProcess {
  /** Everything it printed (the last 8 KiB). */
  output(): string;
  /** Its last few lines, for an error message. */
  tail(): string;
  /** Whether it has exited (or could not start). */
  gone(): boolean;
  /** SIGTERM (SIGKILL after 3 s), then the working directory is removed; safe to call twice. */
  stop(): Promise<void>;
  /** SIGKILL without removing the directory (a failed start that will be retried). */
  kill(): Promise<void>;
}

/** A server binary (Alertmanager, Prometheus) run by a test: its output read so a full pipe never stalls it. */
export function startDaemon(bin: string, args: readonly string[], dir: string): DaemonProcess {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const collect = (chunk: Buffer): void => {
    log = (log + chunk.toString()).slice(-8192);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  let gone = false;
  const exited = new Promise<void>((resolve) => child.once('close', () => ((gone = true), resolve())));
  child.once('error', (error) => {
    gone = true;
    log += `\n${error.message}`;
  });
  let stopping: Promise<void> | undefined;
  return {
    output: () => log,
    tail: () => log.trim().split('\n').slice(-5).join(' | '),
    gone: () => gone,
    stop: () =>
      (stopping ??= (async () => {
        if (!gone && child.pid !== undefined) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
          await exited;
          clearTimeout(timer);
        }
        rmSync(dir, { recursive: true, force: true });
      })()),
    async kill() {
      if (gone) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
