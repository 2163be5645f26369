// The Redis side of bench/shadow-cleanup.js: a private memory-only redis-server, the key set
// (streamed in as protocol, like `redis-cli --pipe`), and the check that exactly the non-shadow
// keys are left.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import { Redis } from 'ioredis';

/** Keys that look like shadow keys and are not: they must survive every cleanup. */
const SURVIVOR_SHAPES = ['room:', 'shadow', 'Shadow:', 'xshadow:', 'shadow_', 'user:shadow:'];

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts redis-server on a free loopback port, memory only; `track` remembers how to stop it. */
export async function startRedisServer(track) {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
  };
  track(stop);
  await new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start on port ${port}: ${output}`)), 10_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start redis-server (is it installed?): ${error.message}`));
    });
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
  await client.connect();
  return { port, url: `redis://127.0.0.1:${port}`, pid: child.pid, client, stop };
}

function command(...parts) {
  let text = `*${parts.length}\r\n`;
  for (const part of parts) text += `$${Buffer.byteLength(part)}\r\n${part}\r\n`;
  return text;
}

/**
 * The key set as Redis protocol, ready to stream: `shadowKeys` keys under `shadow:` (mostly
 * strings, some hashes, lists and sets, as a run leaves them) and `survivors` keys outside it.
 * Plain characters only, so `xargs` in the baseline pipeline splits them right.
 */
export function buildKeySet(shadowKeys, survivors) {
  const chunks = [];
  let chunk = '';
  const add = (text) => {
    chunk += text;
    if (chunk.length > 1 << 20) {
      chunks.push(Buffer.from(chunk));
      chunk = '';
    }
  };
  for (let index = 0; index < shadowKeys; index += 1) {
    const room = index % 1000;
    switch (index % 20) {
      case 0:
        add(command('HSET', `shadow:gift:total:${room}:${index}`, `uid${index}`, '42'));
        break;
      case 1:
        add(command('RPUSH', `shadow:danmaku:${room}:${index}`, 'hello from the bench'));
        break;
      case 2:
        add(command('SADD', `shadow:room:enter:${room}:${index}`, `uid${index}`));
        break;
      default:
        add(command('SET', `shadow:session:${room}:${index}`, `v${index}`));
    }
  }
  const kept = [];
  for (let index = 0; index < survivors; index += 1) {
    const key = `${SURVIVOR_SHAPES[index % SURVIVOR_SHAPES.length]}${index}`;
    kept.push(key);
    add(command('SET', key, `keep${index}`));
  }
  chunks.push(Buffer.from(chunk));
  return { protocol: chunks, survivors: kept, total: shadowKeys + survivors };
}

/**
 * Empties the database and loads the key set the way `redis-cli --pipe` does: the whole protocol
 * written down one connection, then the replies counted (each is one line: +OK or :n).
 */
export async function loadKeySet(server, keySet) {
  await server.client.flushall();
  const socket = connect({ port: server.port, host: '127.0.0.1' });
  await once(socket, 'connect');
  let replies = 0;
  let errors = 0;
  let tail = 0;
  const counted = new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.on('data', (chunk) => {
      for (let index = 0; index < chunk.length; index += 1) {
        if (tail === 0 && chunk[index] === 0x2d) errors += 1;
        tail += 1;
        if (chunk[index] === 0x0a) {
          replies += 1;
          tail = 0;
        }
      }
      if (replies >= keySet.total) resolve();
    });
  });
  for (const chunk of keySet.protocol) {
    if (!socket.write(chunk)) await once(socket, 'drain');
  }
  await counted;
  socket.destroy();
  if (errors > 0) throw new Error(`${errors} commands failed while loading the keys`);
  const size = await server.client.dbsize();
  if (size !== keySet.total) throw new Error(`loaded ${size} keys, expected ${keySet.total}`);
}

/** What is wrong with the keys left after a cleanup (empty when exactly the survivors are left, with their values). */
export async function checkSurvivors(server, keySet) {
  const problems = [];
  const size = await server.client.dbsize();
  if (size !== keySet.survivors.length) problems.push(`${size} keys left, expected the ${keySet.survivors.length} non-shadow keys`);
  const values = await server.client.mget(keySet.survivors);
  const missing = keySet.survivors.filter((key, index) => values[index] !== `keep${index}`);
  if (missing.length > 0) problems.push(`${missing.length} non-shadow keys lost or changed, e.g. ${missing.slice(0, 3).join(', ')}`);
  return problems;
}
