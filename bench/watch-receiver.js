// Benchmark: `live-assure watch` taking Alertmanager webhooks at a fixed rate of alerts per second.
// Goal: it sustains 1000 alerts/s — every notification answered 200, every alert change recorded,
// the rate held, and no backlog: the last answer comes within 1 s of the last POST's due time, and
// the p99 stays under 1 s (far inside Alertmanager's webhook timeout, so nothing is re-sent).
//
// `node bench/watch-receiver.js [--rate n] [--seconds n] [--batch n] [--connections n] [--json]`
// (build first: `npm run build`). The watch binary runs in its own process, as a user runs it,
// with a Bearer token and its run directory; this process sends payloads (version 4, checked with
// dist's own parser before the run) on keep-alive connections, paced by an open-model schedule:
// latency counts from when each POST was due, so a receiver that falls behind shows it.
// Exit codes: 0 goal met; 1 goal missed; 2 the bench could not run; 130 interrupted.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Pool } from 'undici';
import { processCpuMs } from './lib/cpu-usage.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/live-assure.js', import.meta.url));
const DIST_PAYLOAD = fileURLToPath(new URL('../dist/watch/alertmanager-payload.js', import.meta.url));
const GOAL_ALERTS_PER_S = 1000;
const GOAL_P99_MS = 1000;
const GOAL_DRAIN_MS = 1000;
const TOKEN = 'bench-watch-token';
const USAGE = `usage: node bench/watch-receiver.js [--rate n] [--seconds n] [--batch n] [--connections n] [--json]
  --rate <n>         alerts per second to send (default 1000)
  --seconds <n>      measured seconds (default 10)
  --batch <n>        alerts per notification (default 1: one POST per alert, the hardest case)
  --connections <n>  keep-alive connections (default 10)
  --json             print the results as JSON`;

class UsageError extends Error {}

let watch;
process.once('SIGINT', () => {
  watch?.kill('SIGKILL');
  process.exit(130);
});

function parseOptions(argv) {
  const options = { rate: GOAL_ALERTS_PER_S, seconds: 10, batch: 1, connections: 10, json: false };
  for (let index = 0; index < argv.length; index += 1) {
    const [flag, inline] = argv[index].split(/=(.*)/s, 2);
    const key = flag.slice(2);
    if (flag === '--json') options.json = true;
    else if (flag === '--help' || flag === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (['rate', 'seconds', 'batch', 'connections'].includes(key)) {
      const text = inline ?? argv[(index += 1)];
      const value = Number(text?.replaceAll('_', ''));
      if (!Number.isInteger(value) || value < 1) throw new UsageError(`${flag} needs a whole number ≥ 1, got ${text ?? 'nothing'}`);
      options[key] = value;
    } else throw new UsageError(`unknown option ${argv[index]}`);
  }
  return options;
}

/**
 * Notification `n` of the run. Every alert is a state change, the receiver's costliest path: each
 * fingerprint fires in the first half of the run and resolves in the second; half the alerts link
 * to an SOP by matchers, half are unlinked.
 */
function notification(n, options, total) {
  const half = Math.ceil(total / 2);
  const alerts = [];
  for (let k = 0; k < options.batch; k += 1) {
    const index = n * options.batch + k;
    const id = index % half;
    const status = index < half ? 'firing' : 'resolved';
    const labels = id % 2 === 0 ? { alertname: 'RoomInfoLatencyHigh', service: 'room-svc', instance: `room-${id}` } : { alertname: 'DiskFull', instance: `db-${id}` };
    alerts.push({
      status,
      labels,
      annotations: { summary: 'bench' },
      startsAt: '2026-11-22T02:00:00Z',
      endsAt: status === 'resolved' ? '2026-11-22T02:05:00Z' : '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus:9090/graph',
      fingerprint: `bench${id.toString(16).padStart(10, '0')}`,
    });
  }
  const status = alerts.some((alert) => alert.status === 'firing') ? 'firing' : 'resolved';
  return { version: '4', groupKey: `{}:{alertname="${alerts[0].labels.alertname}"}`, truncatedAlerts: 0, status, receiver: 'live-assure', groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://alertmanager:9093', alerts };
}

async function startWatch(out) {
  const child = spawn(process.execPath, [BIN, 'watch', '--sops', 'sops', '--listen', '127.0.0.1:0', '--token', TOKEN, '--out', out, '--json', '--no-tui'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  watch = child;
  const exited = new Promise((resolve) => child.once('close', (code) => resolve(code)));
  // One line per alert goes to stderr: read it all, or a full pipe would stall the receiver.
  let stderrTail = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderrTail = (stderrTail + chunk).slice(-2000)));
  const url = await new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`watch did not start within 10 s: ${stderrTail.trim()}`)), 10_000);
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
      const line = stdout.split('\n').find((candidate) => candidate.includes('"webhook"'));
      if (line === undefined) return;
      clearTimeout(timer);
      resolve(JSON.parse(line).webhook);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`watch exited with code ${code}: ${stderrTail.trim()}`));
    });
  });
  return { child, url, exited, stderrTail: () => stderrTail };
}

async function rssKb(pid, field) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match === null ? undefined : Number(match[1]);
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Sends `bodies` on the open-model schedule; each latency counts from the POST's due time. */
async function send(url, bodies, options) {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections: options.connections, pipelining: 1 });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };
  const perSecond = options.rate / options.batch;
  const latencies = [];
  const failures = { status: {}, socket: 0 };
  let sent = 0;
  const inFlight = new Set();
  const started = performance.now();
  const post = async (body, due) => {
    try {
      const response = await pool.request({ method: 'POST', path: target.pathname, headers, body });
      await response.body.dump();
      if (response.statusCode !== 200) failures.status[response.statusCode] = (failures.status[response.statusCode] ?? 0) + 1;
    } catch {
      failures.socket += 1;
    }
    latencies.push(performance.now() - due);
  };
  while (sent < bodies.length) {
    const elapsed = performance.now() - started;
    const dueCount = Math.min(bodies.length, Math.floor((elapsed / 1000) * perSecond) + 1);
    for (; sent < dueCount; sent += 1) {
      const promise = post(bodies[sent], started + (sent / perSecond) * 1000);
      inFlight.add(promise);
      void promise.finally(() => inFlight.delete(promise));
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(inFlight);
  const wallMs = performance.now() - started;
  // How long after the last POST was due its answer came: a receiver that keeps up drains at once.
  const drainMs = wallMs - ((bodies.length - 1) / perSecond) * 1000;
  await pool.close();
  return { latencies: latencies.sort((a, b) => a - b), failures, wallMs, drainMs };
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  await access(DIST_PAYLOAD).catch(() => {
    throw new UsageError('dist/ is not built: run `npm run build` first');
  });
  const { parseAlertmanagerPayload } = await import(DIST_PAYLOAD);
  const posts = Math.ceil((options.rate * options.seconds) / options.batch);
  const total = posts * options.batch;
  const payloads = Array.from({ length: posts }, (_, n) => notification(n, options, total));
  // What is sent is what Alertmanager would send: the receiver's own parser must take every body.
  for (const payload of [payloads[0], payloads.at(-1)]) {
    const parsed = parseAlertmanagerPayload(payload);
    if (!parsed.ok) throw new Error(`a bench payload is not a valid v4 payload: ${parsed.error}`);
  }
  const bodies = payloads.map((payload) => JSON.stringify(payload));

  const out = mkdtempSync(join(tmpdir(), 'la-bench-watch-'));
  try {
    const running = await startWatch(out);
    const pid = running.child.pid;
    const rssBefore = await rssKb(pid, 'VmRSS');
    const cpuBefore = await processCpuMs(pid);
    let rssPeak = rssBefore ?? 0;
    const sampler = setInterval(() => void rssKb(pid, 'VmRSS').then((kb) => (rssPeak = Math.max(rssPeak, kb ?? 0))), 200);
    // The sender's own stalls (GC, a busy machine) delay POSTs too: measured, so a slow p99 can be told apart.
    const senderLag = monitorEventLoopDelay({ resolution: 10 });
    senderLag.enable();
    const { latencies, failures, wallMs, drainMs } = await send(running.url, bodies, options);
    senderLag.disable();
    clearInterval(sampler);
    const cpuAfter = await processCpuMs(pid);
    const hwm = await rssKb(pid, 'VmHWM');
    running.child.kill('SIGINT');
    const code = await running.exited;
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const recorded = summary.firing + summary.refiring + summary.resolved;
    const errors = failures.socket + Object.values(failures.status).reduce((sum, n) => sum + n, 0);
    const report = {
      node: process.version,
      rate_goal: options.rate,
      batch: options.batch,
      connections: options.connections,
      seconds: options.seconds,
      posts,
      alerts: total,
      achieved_alerts_per_s: Math.round((total / wallMs) * 1000),
      drain_ms: round(drainMs),
      achieved_posts_per_s: Math.round((posts / wallMs) * 1000),
      latency_ms: { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)), max: round(latencies.at(-1) ?? null) },
      sender_loop_lag_ms: { p99: round(senderLag.percentile(99) / 1e6), max: round(senderLag.max / 1e6) },
      errors,
      failures,
      accepted: summary.accepted,
      alert_changes_recorded: recorded,
      watch_exit_code: code,
      watch_cpu_s: cpuBefore === undefined || cpuAfter === undefined ? null : round((cpuAfter - cpuBefore) / 1000),
      watch_rss_mb: { start: mb(rssBefore), peak_sampled: mb(rssPeak), hwm: mb(hwm) },
    };
    const misses = [];
    if (options.rate < GOAL_ALERTS_PER_S) misses.push(`--rate ${options.rate} is below the goal's ${GOAL_ALERTS_PER_S} alerts/s`);
    if (report.achieved_alerts_per_s < options.rate * 0.99) misses.push(`achieved ${report.achieved_alerts_per_s} alerts/s, under ${options.rate}`);
    if (errors > 0) misses.push(`${errors} POSTs failed (${JSON.stringify(failures)})`);
    if (summary.accepted !== posts) misses.push(`watch accepted ${summary.accepted} of ${posts} notifications`);
    if (recorded !== total) misses.push(`watch recorded ${recorded} alert changes of ${total} sent`);
    if ((report.latency_ms.p99 ?? Infinity) > GOAL_P99_MS) misses.push(`p99 ${report.latency_ms.p99} ms over ${GOAL_P99_MS} ms`);
    if (drainMs > GOAL_DRAIN_MS) misses.push(`the last answer came ${Math.round(drainMs)} ms after the last POST was due: a backlog built`);
    report.verdict = misses.length === 0 ? 'PASS' : 'MISS';
    report.misses = misses;
    if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else process.stdout.write(render(report));
    return misses.length === 0 ? 0 : 1;
  } finally {
    watch?.kill('SIGKILL');
    rmSync(out, { recursive: true, force: true });
  }
}

const round = (value) => (value === null || value === undefined ? null : Math.round(value * 100) / 100);
const mb = (kb) => (kb === undefined ? null : Math.round(kb / 102.4) / 10);

function render(report) {
  const lines = [
    `live-assure bench: watch receiver — ${report.alerts.toLocaleString('en-US')} alerts in ${report.posts.toLocaleString('en-US')} notifications (${report.batch} per POST) at ${report.rate_goal}/s over ${report.connections} keep-alive connections, ${report.seconds} s`,
    `node ${report.node}; watch in its own process (Bearer token, run directory, one stderr line per alert)`,
    '',
    `achieved     ${report.achieved_alerts_per_s.toLocaleString('en-US')} alerts/s (${report.achieved_posts_per_s.toLocaleString('en-US')} POSTs/s)`,
    `latency      p50 ${report.latency_ms.p50} ms, p99 ${report.latency_ms.p99} ms, max ${report.latency_ms.max} ms (from each POST's due time); drained ${report.drain_ms} ms after the last was due`,
    `sender lag   event loop p99 ${report.sender_loop_lag_ms.p99} ms, max ${report.sender_loop_lag_ms.max} ms (this process's own stalls)`,
    `errors       ${report.errors}${report.errors === 0 ? '' : ` ${JSON.stringify(report.failures)}`}`,
    `recorded     ${report.accepted} notifications accepted, ${report.alert_changes_recorded} alert changes recorded`,
    `watch        ${report.watch_cpu_s ?? '?'} CPU-s; RSS ${report.watch_rss_mb.start} MB at start, peak ${report.watch_rss_mb.hwm ?? report.watch_rss_mb.peak_sampled} MB`,
    '',
    `${report.verdict}: sustains ${report.rate_goal} alerts/s (goal: ${GOAL_ALERTS_PER_S})${report.misses.length === 0 ? '' : ` — ${report.misses.join('; ')}`}`,
  ];
  return `${lines.join('\n')}\n`;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    if (error instanceof UsageError) process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  },
);
