import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const BARE_SERVER = fileURLToPath(new URL('../bare-server.js', import.meta.url));

/** How to stop each server still running. */
const stops = new Set();

/** Stops every server started here and not stopped yet. */
export async function stopServers() {
  await Promise.allSettled([...stops].map((stop) => stop()));
  stops.clear();
}

/** Starts bench/bare-server.js in its own process and waits for the URL it prints. */
export async function startBareServer() {
  const child = spawn(process.execPath, [BARE_SERVER], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    child.stdin.end();
    child.kill();
    await exited;
  };
  stops.add(stop);
  process.once('exit', () => child.kill());
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
  const url = await new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`the bare server did not start within 10 s: ${stderr.trim()}`)), 10_000);
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
      if (!stdout.includes('\n')) return;
      clearTimeout(timer);
      resolve(JSON.parse(stdout.slice(0, stdout.indexOf('\n'))).url);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the bare server exited with code ${code}: ${stderr.trim()}`));
    });
  });
  return {
    url,
    pid: child.pid,
    async stop() {
      stops.delete(stop);
      await stop();
    },
  };
}

/** Starts the demo platform the way `loadtest` does without a target: in its own process. */
export async function startDemo() {
  let embedded;
  try {
    embedded = await import('../../dist/demo/embedded-demo.js');
  } catch (error) {
    throw new Error(`cannot load dist/demo/embedded-demo.js (${error.message}): run \`npm run build\` first`, { cause: error });
  }
  const before = await childPids();
  const demo = await embedded.startEmbeddedDemo(process.execPath);
  const stop = () => demo.stop();
  stops.add(stop);
  // startEmbeddedDemo does not say which process it started: the one child that is new.
  const started = [...(await childPids())].filter((pid) => !before.has(pid));
  return {
    url: demo.gatewayUrl,
    pid: started.length === 1 ? started[0] : undefined,
    async stop() {
      stops.delete(stop);
      await stop();
    },
  };
}

/** Ids of this process's children (Linux /proc; empty elsewhere). */
async function childPids() {
  try {
    const tasks = await readdir(`/proc/${process.pid}/task`);
    const lists = await Promise.all(tasks.map((task) => readFile(`/proc/${process.pid}/task/${task}/children`, 'utf8').catch(() => '')));
    return new Set(lists.join(' ').split(/\s+/).filter((pid) => pid !== '').map(Number));
  } catch {
    return new Set();
  }
}
