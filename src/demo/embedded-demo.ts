import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface EmbeddedDemo {
  gatewayUrl: string;
  adminToken: string;
  services: { name: string; url: string }[];
  /** The Redis holding the demo's data, when it is in Redis (e.g. started with `--private-redis`). */
  redisUrl?: string;
  /** Stops the demo and waits for its process to end. */
  stop(): Promise<void>;
}

const BIN = fileURLToPath(new URL('../../bin/live-assure.js', import.meta.url));
const READY_TIMEOUT_MS = 10_000;

/**
 * Starts the demo platform in its own process, for `loadtest` and `rehearse` runs without a
 * target: its own process, so the load generator and the platform do not share an event loop.
 * The child stops when its stdin closes, which happens however this process ends.
 */
export async function startEmbeddedDemo(nodePath: string, extraArgs: readonly string[] = []): Promise<EmbeddedDemo> {
  // Its own process group: Ctrl-C in the terminal reaches only this process, which stops the demo
  // (and the Redis under it) when it is done with it — after shadow cleanup, not before.
  const child = spawn(nodePath, [BIN, 'demo', '--port', '0', '--embedded', ...extraArgs], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  // Only the tail is kept: enough to say why it died, bounded however long it runs.
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4096)));

  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`the embedded demo did not start within ${READY_TIMEOUT_MS} ms: ${stderr.trim()}`)), READY_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start the embedded demo: ${error.message}`));
    });
    const onData = (chunk: string): void => {
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.stdout.resume();
      try {
        resolve(JSON.parse(stdout.slice(0, newline)));
      } catch {
        reject(new Error(`the embedded demo printed ${stdout.slice(0, newline)} instead of its addresses`));
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the embedded demo exited with code ${code}: ${stderr.trim()}`));
    });
  }).catch((error: unknown) => {
    child.kill();
    throw error;
  });

  const gatewayUrl = ready['gateway'];
  const adminToken = ready['admin_token'];
  const services = Array.isArray(ready['services']) ? ready['services'] : [];
  const redisUrl = ready['redis'];
  if (typeof gatewayUrl !== 'string' || typeof adminToken !== 'string') {
    child.kill();
    throw new Error('the embedded demo did not say where its gateway is');
  }
  return {
    gatewayUrl,
    adminToken,
    services: services.filter((service): service is { name: string; url: string } => typeof service?.name === 'string' && typeof service?.url === 'string'),
    ...(typeof redisUrl === 'string' ? { redisUrl } : {}),
    async stop() {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
