import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const BIN = join(ROOT, 'bin/live-assure.js');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The built binary in its own process, with a handle to signal it while it runs. */
export function spawnCli(args: string[], options: { timeoutMs?: number; env?: Record<string, string> } = {}): { done: Promise<CliRun>; kill(signal: NodeJS.Signals): void; output(): string } {
  const env = { ...process.env, ...options.env };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const done = new Promise<CliRun>((resolvePromise) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    }),
  );
  return { done, kill: (signal) => child.kill(signal), output: () => stdout + stderr };
}
