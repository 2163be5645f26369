// The load generators of bench/loadtest-engine.js, each run as its own CLI (as a user would),
// pinned to the generator core and measured by runMeasured.
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMeasured } from './engine-procs.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'bin/live-assure.js');
const AUTOCANNON = join(ROOT, 'node_modules/.bin/autocannon');
const UNDICI_LOOP = join(ROOT, 'bench/undici-closed-loop.js');

const GENERATOR_CORE = 0;
export const SERVER_CORE = 1;

function parseJsonOut(tool, measured) {
  const start = measured.stdout.indexOf('{');
  try {
    return JSON.parse(measured.stdout.slice(start));
  } catch {
    throw new Error(`${tool} printed no JSON (exit ${measured.code ?? measured.signal}):\n${measured.stderr.trim().split('\n').slice(-8).join('\n')}`);
  }
}

/**
 * `live-assure loadtest --url … --json` (one worker thread unless `workers` says otherwise); `flags`
 * are added as given. `nodeFlags` go to node itself (e.g. --cpu-prof). Resolves to the summary
 * and the measurement.
 */
export async function runLiveAssure(tools, { url, rate, seconds, connections, arrivals = 'constant', workers = 1, flags = [], nodeFlags = [], scratch, keepEveryMs }) {
  const out = await mkdtemp(join(scratch, 'run-'));
  const args = [
    ...nodeFlags,
    CLI,
    'loadtest',
    '--url',
    `${url}/`,
    '--rate',
    String(rate),
    '--duration',
    `${seconds}s`,
    '--arrivals',
    arrivals,
    '--workers',
    String(workers),
    '--connections',
    String(connections),
    '--json',
    '--no-tui',
    '--out',
    out,
    ...flags,
  ];
  const measured = await runMeasured(tools, { core: GENERATOR_CORE, command: process.execPath, args, cwd: scratch, env: process.env, scratch, keepEveryMs });
  // loadtest exits 1 when a threshold (its own generator check included) fails: still a result.
  const summary = parseJsonOut('live-assure', measured);
  return { summary, measured, command: `live-assure loadtest --url <url> --rate ${rate} --duration ${seconds}s --arrivals ${arrivals} --workers ${workers} --connections ${connections} ${flags.join(' ')}`.trim() };
}

/** `autocannon -c <connections> -d <seconds> -j [-R <rate>]`, resolving to its JSON result. */
export async function runAutocannon(tools, { url, seconds, connections, rate, scratch }) {
  const args = ['-c', String(connections), '-d', String(seconds), '-j', ...(rate === undefined ? [] : ['-R', String(rate)]), `${url}/`];
  const measured = await runMeasured(tools, { core: GENERATOR_CORE, command: AUTOCANNON, args, cwd: scratch, env: process.env, scratch });
  return { result: parseJsonOut('autocannon', measured), measured, command: `autocannon ${args.slice(0, -1).join(' ')}` };
}

/** `wrk -t1 -c<connections> -d<seconds>s`, resolving to its request count. */
export async function runWrk(tools, { url, seconds, connections, scratch }) {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, `${url}/`];
  const measured = await runMeasured(tools, { core: GENERATOR_CORE, command: tools.wrk, args, cwd: scratch, env: process.env, scratch });
  const requests = Number(measured.stdout.match(/^\s*(\d+) requests in ([\d.]+)(ms|s|m)/m)?.[1] ?? NaN);
  const errors = measured.stdout.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  if (!Number.isFinite(requests)) throw new Error(`cannot read wrk's report:\n${measured.stdout}`);
  return { requests, errors: errors === null ? 0 : errors.slice(1).reduce((sum, n) => sum + Number(n), 0), measured, command: `wrk ${args.slice(0, -1).join(' ')}` };
}

/** bench/undici-closed-loop.js: undici's Pool alone, `inFlight` requests kept going. */
export async function runUndiciLoop(tools, { url, seconds, connections, inFlight, scratch }) {
  const args = [UNDICI_LOOP, '--url', `${url}/`, '--connections', String(connections), '--in-flight', String(inFlight), '--seconds', String(seconds)];
  const measured = await runMeasured(tools, { core: GENERATOR_CORE, command: process.execPath, args, cwd: scratch, env: process.env, scratch });
  return { result: parseJsonOut('undici-closed-loop', measured), measured, command: `node bench/undici-closed-loop.js --connections ${connections} --in-flight ${inFlight} --seconds ${seconds}` };
}

/** An unmeasured warm-up of a fresh server: autocannon for `seconds`, on the generator core. */
export async function warmUp(tools, { url, seconds, connections, scratch }) {
  if (seconds <= 0) return;
  await runAutocannon(tools, { url, seconds, connections, scratch });
}
