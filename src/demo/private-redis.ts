import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A memory-only redis-server on loopback that belongs to whoever started it. */
export interface PrivateRedis {
  url: string;
  port: number;
  /** Stops the server (SIGTERM, then SIGKILL after a grace period) and waits for it to end; safe to call twice. */
  stop(): Promise<void>;
}

export interface PrivateRedisOptions {
  /** More redis-server arguments, e.g. `['--notify-keyspace-events', 'KEA']`. */
  extraArgs?: readonly string[];
  readyTimeoutMs?: number;
  stopGraceMs?: number;
}

/** redis-server is missing or did not come up. */
export class PrivateRedisFailed extends Error {}

const READY = 'Ready to accept connections';
// The free port is only free until someone else takes it: that race is retried, nothing else is.
const PORT_ATTEMPTS = 3;

/** A free TCP port on loopback, as the OS hands it out. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts redis-server (from PATH) on a free loopback port, with no persistence at all, so nothing
 * outlives it and no Redis of the user's is touched.
 */
export async function startPrivateRedis(options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    try {
      return await startOn(port, options);
    } catch (error) {
      if (!(error instanceof PortTaken) || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}

class PortTaken extends PrivateRedisFailed {}

async function startOn(port: number, options: PrivateRedisOptions): Promise<PrivateRedis> {
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...(options.extraArgs ?? [])];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  // Read for as long as it runs, or a full pipe would stall it; only the tail is kept, to say why it failed.
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4096);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);

  const stop = stopper(child, exited, options.stopGraceMs ?? 2000);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new PrivateRedisFailed(`redis-server did not start within ${readyTimeoutMs} ms: ${lastLines(output)}`)), readyTimeoutMs);
      child.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const why = error.code === 'ENOENT' ? 'it is not installed (not found on PATH)' : error.message;
        reject(new PrivateRedisFailed(`cannot start redis-server: ${why}`));
      });
      child.stdout.on('data', () => {
        if (!output.includes(READY)) return;
        clearTimeout(timer);
        resolve();
      });
      void exited.then(() => {
        clearTimeout(timer);
        const failure = `redis-server exited at start (code ${child.exitCode ?? child.signalCode}): ${lastLines(output)}`;
        reject(/Address already in use/.test(output) ? new PortTaken(failure) : new PrivateRedisFailed(failure));
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  // Once up, its death is storage going down, which the store reports (503); nothing to throw here.
  child.on('error', () => undefined);
  return { url: `redis://127.0.0.1:${port}`, port, stop };
}

function stopper(child: ChildProcess, exited: Promise<void>, graceMs: number): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () =>
    (stopping ??= (async () => {
      // A process that never started has no pid and will not emit 'exit'.
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    })());
}

function lastLines(output: string): string {
  const lines = output.trim().split('\n').slice(-3).join(' | ');
  return lines === '' ? '(no output)' : lines;
}
