// Benchmark: the embedded demo gateway's requests/s beside a bare node:http server, measured in
// the same run on the same machine, so we know the demo will not be the bottleneck of a
// one-machine load test. Runs against the built dist/: `npm run bench:demo`, or
// `node bench/demo-gateway.js [--duration <s>] [--warmup <s>] [--connections <n>] [--json]`.
//
// Exit codes: 0 done; 1 a target answered more than 1% errors or non-2xx; 2 the bench could not
// run (bad option, no build, a server did not start); 130 interrupted.
import autocannon from 'autocannon';
import { execFile, spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BARE_SERVER = fileURLToPath(new URL('./bare-server.js', import.meta.url));
const SCENARIO = 'scenarios/demo.yaml';
const MAX_ERROR_RATE = 0.01;
const SHADOW_HEADER = 'x-live-assure-shadow';
const DANMAKU_BODY = JSON.stringify({ room_id: 1, uid: 42, msg: 'bench' });
const run = promisify(execFile);

const USAGE = `usage: node bench/demo-gateway.js [--duration <s>] [--warmup <s>] [--connections <n>] [--json]
  --duration <s>     measured seconds per target (default 10)
  --warmup <s>       unmeasured seconds before each target (default 2)
  --connections <n>  concurrent connections (default 50; pipelining is always 1)
  --json             print the results as JSON instead of a table`;

// ---- options ---------------------------------------------------------------------------------

function parseOptions(argv) {
  const options = { duration: 10, warmup: 2, connections: 50, json: false };
  const numeric = { '--duration': 'duration', '--warmup': 'warmup', '--connections': 'connections' };
  for (let index = 0; index < argv.length; index += 1) {
    const [flag, inline] = argv[index].split(/=(.*)/s, 2);
    if (flag === '--json') options.json = true;
    else if (flag === '--help' || flag === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (flag in numeric) {
      const text = inline ?? argv[(index += 1)];
      const value = Number(text);
      const key = numeric[flag];
      const whole = key !== 'duration';
      if (text === undefined || !Number.isFinite(value) || (whole ? !Number.isInteger(value) : false) || value < (key === 'warmup' ? 0 : 1)) {
        throw new UsageError(`${flag} needs ${key === 'warmup' ? 'a whole number ≥ 0' : whole ? 'a whole number ≥ 1' : 'a number of seconds ≥ 1'}, got ${text ?? 'nothing'}`);
      }
      options[key] = value;
    } else throw new UsageError(`unknown option ${argv[index]}`);
  }
  return options;
}

class UsageError extends Error {}

// ---- child processes -------------------------------------------------------------------------

/** Everything to stop before leaving: child processes and a running load generator. */
const cleanups = new Set();
let running;
let interrupted = false;
/** Ends the wrk and `live-assure plan` processes still running. */
const leaving = new AbortController();

async function cleanUp() {
  running?.stop();
  leaving.abort();
  await Promise.allSettled([...cleanups].map((cleanup) => cleanup()));
  cleanups.clear();
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    interrupted = true;
    process.stderr.write(`\nbench: ${signal}, stopping the servers\n`);
    const deadline = setTimeout(() => process.exit(130), 3000);
    void cleanUp().finally(() => {
      clearTimeout(deadline);
      process.exit(130);
    });
  });
}

/** Starts bench/bare-server.js in its own process and waits for the URL it prints. */
async function startBareServer() {
  const child = spawn(process.execPath, [BARE_SERVER], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    child.stdin.end();
    child.kill();
    await exited;
  };
  cleanups.add(stop);
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
      cleanups.delete(stop);
      await stop();
    },
  };
}

/** Starts the demo platform the way `loadtest` does without a target: in its own process. */
async function startDemo() {
  let embedded;
  try {
    embedded = await import('../dist/demo/embedded-demo.js');
  } catch (error) {
    throw new Error(`cannot load dist/demo/embedded-demo.js (${error.message}): run \`npm run build\` first`, { cause: error });
  }
  const before = await childPids();
  const demo = await embedded.startEmbeddedDemo(process.execPath);
  const stop = () => demo.stop();
  cleanups.add(stop);
  // startEmbeddedDemo does not say which process it started: the one child that is new.
  const started = [...(await childPids())].filter((pid) => !before.has(pid));
  return {
    url: demo.gatewayUrl,
    pid: started.length === 1 ? started[0] : undefined,
    async stop() {
      cleanups.delete(stop);
      await stop();
    },
  };
}

// ---- CPU accounting (Linux /proc; the columns stay empty elsewhere) ---------------------------

/** Ids of this process's children. */
async function childPids() {
  try {
    const tasks = await readdir(`/proc/${process.pid}/task`);
    const lists = await Promise.all(tasks.map((task) => readFile(`/proc/${process.pid}/task/${task}/children`, 'utf8').catch(() => '')));
    return new Set(lists.join(' ').split(/\s+/).filter((pid) => pid !== '').map(Number));
  } catch {
    return new Set();
  }
}

let clockTicks;

/** CPU milliseconds (user + system) a process has used so far, or undefined when unknown. */
async function processCpuMs(pid) {
  if (pid === undefined) return undefined;
  try {
    clockTicks ??= Number((await run('getconf', ['CLK_TCK'])).stdout.trim()) || 100;
  } catch {
    clockTicks = 100;
  }
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
  } catch {
    return undefined;
  }
}

/** How many CPUs' worth of work the whole machine did over `ms` (os.cpus() counters). */
async function machineBusyCores(ms) {
  const sample = () =>
    cpus().reduce(
      (sum, { times }) => {
        const busy = times.user + times.nice + times.sys + times.irq;
        return { busy: sum.busy + busy, total: sum.total + busy + times.idle };
      },
      { busy: 0, total: 0 },
    );
  const before = sample();
  await sleep(ms);
  const after = sample();
  const total = after.total - before.total;
  return total <= 0 ? 0 : ((after.busy - before.busy) / total) * cpus().length;
}

// ---- load generators -------------------------------------------------------------------------

/** One autocannon run; resolves to its raw result. */
function cannon(target, url, seconds, connections) {
  const instance = autocannon({
    url: `${url}${target.path}`,
    method: target.method,
    headers: target.headers,
    ...(target.body === undefined ? {} : { body: target.body }),
    connections,
    pipelining: 1,
    duration: seconds,
    timeout: 10,
  });
  running = instance;
  return Promise.resolve(instance).finally(() => {
    running = undefined;
  });
}

async function measureWithAutocannon(target, server, options) {
  const url = server.url;
  if (options.warmup > 0) await cannon(target, url, options.warmup, options.connections);
  const cpuBefore = await processCpuMs(server.pid);
  const result = await cannon(target, url, options.duration, options.connections);
  const cpuAfter = await processCpuMs(server.pid);
  const answered = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
  const failed = result.errors + result.timeouts;
  return {
    requests: answered,
    req_per_s: answered / result.duration,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    errors: failed,
    non2xx: result.non2xx,
    error_rate: answered + failed === 0 ? 1 : (failed + result.non2xx) / (answered + failed),
    server_cpu_us_per_request: cpuBefore === undefined || cpuAfter === undefined || answered === 0 ? null : ((cpuAfter - cpuBefore) * 1000) / answered,
    status_codes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, stats]) => [code, stats.count])),
  };
}

async function findOnPath(command) {
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    if (folder === '') continue;
    const candidate = join(folder, command);
    try {
      await run(candidate, ['--version']).catch((error) => {
        // wrk --version prints its version and exits 1; only "not there" matters here.
        if (error.code === 'ENOENT' || error.code === 'EACCES') throw error;
      });
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

async function measureWithWrk(wrk, target, server, options) {
  if (target.method !== 'GET') throw new Error('the wrk runs only cover GET targets');
  const url = server.url;
  const headerArgs = Object.entries(target.headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const args = ['-t1', `-c${options.connections}`, '--latency', '--timeout', '10s', ...headerArgs];
  const signal = leaving.signal;
  if (options.warmup > 0) await run(wrk, [...args, `-d${Math.max(1, Math.round(options.warmup))}s`, `${url}${target.path}`], { signal });
  const cpuBefore = await processCpuMs(server.pid);
  const { stdout } = await run(wrk, [...args, `-d${Math.max(1, Math.round(options.duration))}s`, `${url}${target.path}`], { signal });
  const cpuAfter = await processCpuMs(server.pid);
  const measured = parseWrk(stdout);
  const cpu = cpuBefore === undefined || cpuAfter === undefined || measured.requests === 0 ? null : ((cpuAfter - cpuBefore) * 1000) / measured.requests;
  return { ...measured, server_cpu_us_per_request: cpu };
}

/** Reads wrk's text report: Requests/sec, the latency distribution, errors and non-2xx answers. */
function parseWrk(text) {
  const number = (pattern) => {
    const match = text.match(pattern);
    return match === null ? undefined : Number(match[1]);
  };
  const latency = (quantile) => {
    const match = text.match(new RegExp(`^\\s*${quantile}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm'));
    if (match === null) return undefined;
    return Number(match[1]) * { us: 0.001, ms: 1, s: 1000, m: 60_000 }[match[2]];
  };
  const reqPerSecond = number(/^Requests\/sec:\s+([\d.]+)/m);
  const requests = number(/^\s*(\d+) requests in /m);
  if (reqPerSecond === undefined || requests === undefined) throw new Error(`cannot read wrk's report:\n${text}`);
  const socket = text.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const errors = socket === null ? 0 : socket.slice(1).reduce((sum, count) => sum + Number(count), 0);
  const non2xx = number(/Non-2xx or 3xx responses: (\d+)/) ?? 0;
  return {
    requests,
    req_per_s: reqPerSecond,
    p50_ms: latency(50),
    p99_ms: latency(99),
    errors,
    non2xx,
    error_rate: requests + errors === 0 ? 1 : (errors + non2xx) / (requests + errors),
  };
}

// ---- what the demo scenario needs --------------------------------------------------------------

/**
 * The gateway's forecast peak from `live-assure plan --json`, and the peak of the scenario's own
 * load profile (`load.scale` × the highest stage level), which is what `loadtest` generates.
 */
async function loadtestNeed() {
  const plan = await run(process.execPath, [join(ROOT, 'bin/live-assure.js'), 'plan', SCENARIO, '--json'], { cwd: ROOT, signal: leaving.signal }).catch((error) => {
    // `plan` exits 1 when capacity is short, and still prints the plan.
    if (typeof error.stdout === 'string' && error.stdout.trim().startsWith('{')) return error;
    throw new Error(`live-assure plan ${SCENARIO} failed: ${(error.stderr ?? error.message).trim()}`, { cause: error });
  });
  const gateway = JSON.parse(plan.stdout).services?.find((service) => service.name === 'gateway');
  if (gateway === undefined || typeof gateway.peak_qps !== 'number') throw new Error(`live-assure plan ${SCENARIO} names no gateway peak`);

  const { parseScenario } = await import('../dist/scenarios/load-scenario.js');
  const parsed = parseScenario(await readFile(join(ROOT, SCENARIO), 'utf8'), SCENARIO, process.env);
  const load = parsed.ok ? parsed.scenario.load : undefined;
  const level = load === undefined ? undefined : Math.max(0, ...load.stages.map((stage) => stage.to ?? 0));
  return {
    scenario: SCENARIO,
    gateway_forecast_peak_qps: gateway.peak_qps,
    gateway_forecast_peak_at_ms: gateway.at_ms,
    load_scale: load?.scale ?? null,
    load_highest_level: level ?? null,
    loadtest_peak_qps: load === undefined ? null : gateway.peak_qps * load.scale * level,
  };
}

// ---- report ------------------------------------------------------------------------------------

const TARGETS = [
  { id: 'bare', label: 'bare node:http', server: 'bare', method: 'GET', path: '/', headers: {}, wrk: true },
  { id: 'room-info', label: 'gateway GET /room/info', server: 'demo', method: 'GET', path: '/room/info?room_id=1', headers: {}, wrk: true },
  {
    id: 'danmaku-send',
    label: 'gateway POST /danmaku/send',
    server: 'demo',
    method: 'POST',
    path: '/danmaku/send',
    headers: { 'content-type': 'application/json' },
    body: DANMAKU_BODY,
    wrk: false,
  },
  { id: 'room-info-shadow', label: 'gateway GET /room/info shadow', server: 'demo', method: 'GET', path: '/room/info?room_id=1', headers: { [SHADOW_HEADER]: 'bench-1' }, wrk: false },
];

const fixed = (value, digits) => (value === undefined || value === null ? '-' : value.toFixed(digits));
const grouped = (value) => Math.round(value).toLocaleString('en-US');
// autocannon keeps latencies in whole milliseconds; wrk in microseconds.
const latencyCell = (tool, ms) => (tool === 'autocannon' && ms === 0 ? '<1' : fixed(ms, tool === 'autocannon' ? 0 : 1));
const times = (value) => `${value >= 10 ? value.toFixed(0) : value.toFixed(1)}×`;

function renderTable(report) {
  const header = ['target', 'tool', 'req/s', 'p50 ms', 'p99 ms', 'errors/non-2xx', 'vs bare', 'server CPU µs/req'];
  const rows = report.results.map((result) => [
    result.label,
    result.tool,
    grouped(result.req_per_s),
    latencyCell(result.tool, result.p50_ms),
    latencyCell(result.tool, result.p99_ms),
    `${result.errors}/${result.non2xx} (${(result.error_rate * 100).toFixed(2)}%)`,
    result.ratio_to_bare === null ? '' : `${result.ratio_to_bare.toFixed(2)}×`,
    fixed(result.server_cpu_us_per_request, 0),
  ]);
  const right = [false, false, true, true, true, true, true, true];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells) => cells.map((cell, column) => (right[column] ? cell.padStart(widths[column]) : cell.padEnd(widths[column]))).join('  ').trimEnd();

  const out = [];
  out.push(`live-assure bench: demo gateway vs bare node:http — ${report.connections} connections, pipelining 1, ${report.duration_s} s per target after ${report.warmup_s} s warm-up`);
  out.push(`node ${report.node}, ${report.cpus} CPUs; load generator in this process, each server in its own process; targets run one after the other`);
  out.push('');
  out.push(line(header));
  out.push(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) out.push(line(row));
  out.push('');
  if (report.wrk.skipped !== undefined) out.push(`wrk: skipped (${report.wrk.skipped})`);
  for (const result of report.results) {
    if (result.ratio_to_bare === null || result.id === 'bare') continue;
    out.push(`${result.id} through the gateway (${result.tool}): ${result.ratio_to_bare.toFixed(2)}× bare node:http`);
  }
  const need = report.loadtest;
  if (need.error !== undefined) out.push('', `one-machine load test of ${SCENARIO}: unknown (${need.error})`);
  else {
    out.push('', `one-machine load test of ${need.scenario} (slowest gateway route measured: ${need.slowest_route}, ${grouped(need.slowest_req_per_s)} req/s):`);
    out.push(`  forecast peak at the gateway (live-assure plan): ${grouped(need.gateway_forecast_peak_qps)} req/s at ${clock(need.gateway_forecast_peak_at_ms)} → ${times(need.headroom_over_forecast)} headroom`);
    if (need.loadtest_peak_qps !== null) {
      out.push(`  its load profile (scale ${need.load_scale} × highest stage ${need.load_highest_level}): ${grouped(need.loadtest_peak_qps)} req/s → ${times(need.headroom_over_loadtest)} headroom`);
    }
  }
  if (report.warnings.length > 0) out.push('', ...report.warnings.map((warning) => `WARNING: ${warning}`));
  if (report.failures.length > 0) out.push('', ...report.failures.map((failure) => `FAIL: ${failure}`));
  return `${out.join('\n')}\n`;
}

function clock(ms) {
  if (typeof ms !== 'number') return '?';
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes}m${String(seconds).padStart(2, '0')}s`;
}

// ---- main --------------------------------------------------------------------------------------

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const say = (message) => {
    if (!options.json) process.stderr.write(`bench: ${message}\n`);
  };
  const wrk = await findOnPath('wrk');
  const results = [];
  const warnings = [];

  // Other work on the machine skews every number here (the bench needs both cores to itself).
  const busy = await machineBusyCores(1000);
  if (busy > 0.25) {
    warnings.push(`other processes kept ${busy.toFixed(2)} CPUs busy just before the run: the numbers are low and noisy; run again on a quiet machine`);
  }

  const record = (target, tool, measured) => {
    results.push({ id: target.id, label: target.label, tool, method: target.method, path: target.path, headers: target.headers, ...measured });
  };

  say('starting the bare node:http server');
  const bare = await startBareServer();
  for (const target of TARGETS.filter((entry) => entry.server === 'bare')) {
    say(`${target.label}: autocannon ${options.warmup} s warm-up + ${options.duration} s`);
    record(target, 'autocannon', await measureWithAutocannon(target, bare, options));
    if (wrk !== undefined && target.wrk) {
      say(`${target.label}: wrk ${options.duration} s`);
      record(target, 'wrk', await measureWithWrk(wrk, target, bare, options));
    }
  }
  await bare.stop();

  say('starting the embedded demo platform');
  const demo = await startDemo();
  for (const target of TARGETS.filter((entry) => entry.server === 'demo')) {
    say(`${target.label}: autocannon ${options.warmup} s warm-up + ${options.duration} s`);
    record(target, 'autocannon', await measureWithAutocannon(target, demo, options));
    if (wrk !== undefined && target.wrk) {
      say(`${target.label}: wrk ${options.duration} s`);
      record(target, 'wrk', await measureWithWrk(wrk, target, demo, options));
    }
  }
  await demo.stop();

  for (const result of results) {
    const baseline = results.find((entry) => entry.id === 'bare' && entry.tool === result.tool);
    result.ratio_to_bare = baseline === undefined || baseline.req_per_s === 0 ? null : result.req_per_s / baseline.req_per_s;
  }

  let loadtest;
  try {
    const need = await loadtestNeed();
    // Only routes that answered: a route failing fast would look quick.
    const gatewayRuns = results.filter((result) => result.id !== 'bare' && result.tool === 'autocannon' && result.error_rate <= MAX_ERROR_RATE);
    if (gatewayRuns.length === 0) throw new Error('no gateway route answered without errors');
    const slowest = gatewayRuns.reduce((low, result) => (result.req_per_s < low.req_per_s ? result : low));
    loadtest = {
      ...need,
      slowest_route: slowest.id,
      slowest_req_per_s: slowest.req_per_s,
      headroom_over_forecast: slowest.req_per_s / need.gateway_forecast_peak_qps,
      headroom_over_loadtest: need.loadtest_peak_qps === null || need.loadtest_peak_qps === 0 ? null : slowest.req_per_s / need.loadtest_peak_qps,
    };
  } catch (error) {
    loadtest = { error: error.message };
  }

  const failures = results
    .filter((result) => result.error_rate > MAX_ERROR_RATE)
    .map(
      (result) =>
        `${result.label} (${result.tool}): ${(result.error_rate * 100).toFixed(2)}% of requests failed ` +
        `(${result.errors} socket errors/timeouts, ${result.non2xx} non-2xx answers${result.status_codes === undefined ? '' : `, status codes ${JSON.stringify(result.status_codes)}`}), over the ${MAX_ERROR_RATE * 100}% limit`,
    );
  if (loadtest.headroom_over_forecast !== undefined && loadtest.headroom_over_forecast < 1) {
    warnings.push(`the slowest gateway route (${grouped(loadtest.slowest_req_per_s)} req/s) is below the gateway's forecast peak of ${SCENARIO} (${grouped(loadtest.gateway_forecast_peak_qps)} req/s)`);
  }

  const report = {
    node: process.version,
    cpus: cpus().length,
    busy_cpus_before: Number(busy.toFixed(2)),
    connections: options.connections,
    pipelining: 1,
    duration_s: options.duration,
    warmup_s: options.warmup,
    wrk: wrk === undefined ? { skipped: 'wrk is not on PATH' } : { path: wrk },
    results,
    loadtest,
    warnings,
    failures,
  };
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderTable(report));
  return failures.length > 0 ? 1 : 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  // Interrupted: the signal handler has said so, and exits with 130 once the servers are stopped.
  if (!interrupted) process.stderr.write(`bench: ${error instanceof UsageError ? `${error.message}\n${USAGE}` : error.message}\n`);
  process.exitCode = 2;
} finally {
  await cleanUp();
}
