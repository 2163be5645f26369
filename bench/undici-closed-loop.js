// A diagnostic of bench/loadtest-engine.js: undici's Pool alone, driven the way live-assure's
// transport drives it (dispatch with a callback handler, pipelining 1), in a closed loop that keeps
// --in-flight requests going for --seconds. No schedule, no histograms, no worker thread: what one
// core can do through undici, the ceiling of live-assure's transport.
// `node bench/undici-closed-loop.js --url <url> [--connections 50] [--in-flight 50] [--seconds 10]`
// prints { requests, errors, seconds } as one JSON line.
import { Pool } from 'undici';

const options = { url: undefined, connections: 50, 'in-flight': 50, seconds: 10 };
for (let index = 2; index < process.argv.length; index += 2) {
  const name = process.argv[index].replace(/^--/, '');
  if (!(name in options)) throw new Error(`undici-closed-loop: unknown option ${process.argv[index]}`);
  options[name] = name === 'url' ? process.argv[index + 1] : Number(process.argv[index + 1]);
}
if (options.url === undefined) throw new Error('undici-closed-loop: --url is required');

const url = new URL(options.url);
const pool = new Pool(url.origin, { connections: options.connections, pipelining: 1, keepAliveTimeout: 30_000 });
const request = { path: url.pathname, method: 'GET', headers: [], body: undefined, headersTimeout: 10_000, bodyTimeout: 10_000 };
let requests = 0;
let errors = 0;
let inFlight = 0;
let stopping = false;
const startedAt = performance.now();

function finished() {
  inFlight -= 1;
  if (!stopping) send();
  else if (inFlight === 0) {
    process.stdout.write(`${JSON.stringify({ requests, errors, seconds: (performance.now() - startedAt) / 1000 })}\n`);
    void pool.destroy();
  }
}

function send() {
  inFlight += 1;
  pool.dispatch(request, {
    onConnect: () => undefined,
    onHeaders: () => true,
    onData: () => true,
    onComplete: () => {
      requests += 1;
      finished();
    },
    onError: () => {
      errors += 1;
      finished();
    },
  });
}

for (let index = 0; index < options['in-flight']; index += 1) send();
setTimeout(() => (stopping = true), options.seconds * 1000);
