// The target of bench/loadtest-engine.js: a bare node:http server answering `200 ok` (the server
// of /work/shared/reference/load-testing.md §B), in its own process, pinned by the bench. Modes:
//
//   --mode bare      answers at once; nothing recorded
//   --mode arrivals  answers at once and records each request's arrival time (process.hrtime)
//   --mode stall     holds every response that arrives in the last --stall-ms of each --window-ms
//                    window until that window ends (§B.4 E3); windows start at the first request
//                    after a reset
//
// It prints one JSON line with its URL, then reads commands from stdin, one per line, and answers
// each with one JSON line on stdout:
//   reset   forget everything recorded (and, in stall mode, the window origin)
//   report  { count, first_ms, last_ms, bins? (arrivals: per-10-ms counts from the first arrival),
//             held? (stall: responses held) }
// It ends when its stdin closes, that is when the bench goes away, however it ends.
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';

const options = { mode: 'bare', 'window-ms': 5000, 'stall-ms': 1000, 'bin-ms': 10 };
for (let index = 2; index < process.argv.length; index += 2) {
  const name = process.argv[index].replace(/^--/, '');
  if (!(name in options)) throw new Error(`engine-server: unknown option ${process.argv[index]}`);
  options[name] = name === 'mode' ? process.argv[index + 1] : Number(process.argv[index + 1]);
}
if (!['bare', 'arrivals', 'stall'].includes(options.mode)) throw new Error(`engine-server: unknown mode ${options.mode}`);

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

// Arrival times (ms, process.hrtime), in a growing typed array: no per-request allocation.
let times = new Float64Array(1 << 16);
let count = 0;
let held = 0;
let origin;

function record(at) {
  if (count === times.length) {
    const larger = new Float64Array(times.length * 2);
    larger.set(times);
    times = larger;
  }
  times[count] = at;
  count += 1;
}

const headers = { 'content-type': 'text/plain', 'content-length': '2' };
const answer = (response) => {
  response.writeHead(200, headers);
  response.end('ok');
};

const handlers = {
  bare: (request, response) => {
    request.resume();
    answer(response);
  },
  arrivals: (request, response) => {
    record(nowMs());
    request.resume();
    answer(response);
  },
  stall: (request, response) => {
    const at = nowMs();
    record(at);
    request.resume();
    origin ??= at;
    const phase = (at - origin) % options['window-ms'];
    if (phase < options['window-ms'] - options['stall-ms']) answer(response);
    else {
      held += 1;
      setTimeout(answer, options['window-ms'] - phase, response);
    }
  },
};

const server = createServer(handlers[options.mode]);
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, mode: options.mode })}\n`);
});

function report() {
  const first = count === 0 ? null : times[0];
  const last = count === 0 ? null : times[count - 1];
  const result = { count, first_ms: first, last_ms: last };
  if (options.mode === 'stall') result.held = held;
  if (options.mode === 'arrivals' && count > 0) {
    const binMs = options['bin-ms'];
    const bins = new Array(Math.floor((last - first) / binMs) + 1).fill(0);
    for (let index = 0; index < count; index += 1) bins[Math.floor((times[index] - first) / binMs)] += 1;
    result.bin_ms = binMs;
    result.bins = bins;
  }
  return result;
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const command = line.trim();
  if (command === 'reset') {
    count = 0;
    held = 0;
    origin = undefined;
    process.stdout.write(`${JSON.stringify({ ok: true })}\n`);
  } else if (command === 'report') process.stdout.write(`${JSON.stringify(report())}\n`);
  else process.stdout.write(`${JSON.stringify({ error: `unknown command ${command}` })}\n`);
});
process.stdin.once('end', () => process.exit(0));
process.stdin.once('close', () => process.exit(0));
