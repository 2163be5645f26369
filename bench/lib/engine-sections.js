// The four measurements of bench/loadtest-engine.js. Each resolves to a section object:
// { id, title, rows, verdicts: [{ pass, text }], notes }; the report renders them.
import { mkdtemp } from 'node:fs/promises';
import { Agent, get } from 'node:http';
import { join } from 'node:path';
import { readProfiles, summarizeProfile } from './cpuprofile-top.js';
import { startServer } from './engine-procs.js';
import { runAutocannon, runLiveAssure, runUndiciLoop, runWrk, SERVER_CORE, warmUp } from './engine-tools.js';

const CONNECTIONS = 50;
/** Far above what one generator core can send: live-assure runs flat out. */
const FLAT_OUT_RATE = 200_000;
const PACING_RATE = 5000;
const STALL = { rate: 500, windowMs: 5000, stallMs: 1000, connections: 10 };
const RSS_BUDGET_MB = 100;
const mb = (kb) => kb / 1024;

/** A fresh bare server on the server core, warmed up, for one measured run. */
async function withBareServer(context, label, measure) {
  const { tools, options, scratch, say } = context;
  const server = await startServer(tools, { mode: 'bare', core: SERVER_CORE });
  try {
    say(`${label}: ${options.warmup} s warm-up + ${options.seconds} s`);
    await warmUp(tools, { url: server.url, seconds: options.warmup, connections: CONNECTIONS, scratch });
    const before = await server.cpuMs();
    const row = await measure(server.url);
    const after = await server.cpuMs();
    return { ...row, server_cpu_s: before === undefined || after === undefined ? null : (after - before) / 1000 };
  } finally {
    await server.stop();
  }
}

function cpuRow(tool, command, requests, seconds, measured, extra = {}) {
  return {
    tool,
    command,
    requests,
    seconds,
    req_per_s: requests / seconds,
    cpu_s: measured.cpu_s,
    user_s: measured.user_s,
    sys_s: measured.sys_s,
    req_per_cpu_s: requests / measured.cpu_s,
    peak_rss_mb: mb(measured.max_rss_kb),
    ...extra,
  };
}

function liveAssureRow(tool, run) {
  const { summary, measured, command } = run;
  return cpuRow(tool, command, summary.requests, summary.duration_ms / 1000, measured, {
    errors: summary.errors,
    dropped: summary.arrivals?.dropped ?? null,
    lag_p99_ms: summary.generator_lag_ms?.p99 ?? null,
    latency_p99_ms: summary.latency_ms?.p99 ?? null,
  });
}

/** 1. Requests per generator CPU-second, flat out against a bare server, beside autocannon and wrk. */
export async function cpuSection(context) {
  const { tools, options, scratch } = context;
  const seconds = options.seconds;
  const rows = [];
  const notes = [];
  // The judged run; section 4 reads its peak RSS too.
  const flatOut = async (url) => {
    context.runs.flatOut = await runLiveAssure(tools, { url, rate: FLAT_OUT_RATE, seconds, connections: CONNECTIONS, scratch });
    return context.runs.flatOut;
  };

  rows.push(await withBareServer(context, 'cpu: autocannon', async (url) => {
    const { result, measured, command } = await runAutocannon(tools, { url, seconds, connections: CONNECTIONS, scratch });
    context.runs.autocannonFlatOut = measured;
    return cpuRow('autocannon', command, result.requests.total, result.duration, measured, { errors: result.errors + result.timeouts });
  }));
  rows.push(await withBareServer(context, 'cpu: live-assure', async (url) => liveAssureRow('live-assure', await flatOut(url))));
  // Diagnostic, not judged: the same flat-out run with a small in-flight bound, so the generator
  // neither queues thousands of requests behind 50 connections nor keeps them in memory.
  rows.push(await withBareServer(context, 'cpu: live-assure --max-in-flight 200', async (url) =>
    liveAssureRow('live-assure --max-in-flight 200 (diagnostic)', await runLiveAssure(tools, { url, rate: FLAT_OUT_RATE, seconds, connections: CONNECTIONS, flags: ['--max-in-flight', '200'], scratch })),
  ));
  // Diagnostic, not judged: undici's Pool alone in a closed loop, the ceiling of live-assure's transport.
  rows.push(await withBareServer(context, 'cpu: undici closed loop', async (url) => {
    const { result, measured, command } = await runUndiciLoop(tools, { url, seconds, connections: CONNECTIONS, inFlight: CONNECTIONS, scratch });
    return cpuRow('undici Pool closed loop (diagnostic)', command, result.requests, result.seconds, measured, { errors: result.errors });
  }));
  if (tools.wrk !== undefined) {
    rows.push(await withBareServer(context, 'cpu: wrk', async (url) => {
      const { requests, errors, measured, command } = await runWrk(tools, { url, seconds, connections: CONNECTIONS, scratch });
      return cpuRow('wrk', command, requests, seconds, measured, { errors });
    }));
  } else notes.push('wrk: skipped (not on PATH; `apt-get install wrk` adds it)');

  let profile;
  if (options.profile) {
    profile = await withBareServer(context, 'cpu: live-assure under --cpu-prof', async (url) => {
      const dir = await mkdtemp(join(scratch, 'prof-'));
      const run = await runLiveAssure(tools, { url, rate: FLAT_OUT_RATE, seconds, connections: CONNECTIONS, nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`], scratch });
      const threads = (await readProfiles(dir)).map(({ thread, profile: data }) => ({ thread: thread === 0 ? 'main' : `worker ${thread}`, ...summarizeProfile(data) }));
      return { requests: run.summary.requests, cpu_s: run.measured.cpu_s, threads };
    });
  }

  const live = rows.find((row) => row.tool === 'live-assure');
  const cannon = rows.find((row) => row.tool === 'autocannon');
  const ratio = live.req_per_cpu_s / cannon.req_per_cpu_s;
  const goal = ratio >= 1 ? (ratio >= 1.1 ? 'goal ≥ 1.0 met, stretch 1.1 met' : 'goal ≥ 1.0 met, stretch 1.1 missed') : 'goal ≥ 1.0';
  for (const row of rows) if (row.errors > 0) notes.push(`${row.tool}: ${row.errors} errors`);
  return {
    id: 'cpu',
    title: `1. Requests per generator CPU-second: bare node:http server (1 core) flat out, ${CONNECTIONS} connections, ${seconds} s per tool, fresh server + ${options.warmup} s warm-up each`,
    rows,
    ratio,
    profile,
    verdicts: [{ pass: ratio >= 1, text: `cpu: live-assure / autocannon = ${ratio.toFixed(2)} requests per CPU-second (${goal})` }],
    notes,
  };
}

/** Per-bin statistics of server-side arrivals, the first and last 100 ms dropped. */
function pacingStats(report, expected) {
  const bins = report.bins ?? [];
  const edge = Math.round(100 / (report.bin_ms ?? 10));
  const inner = bins.slice(edge, Math.max(edge, bins.length - edge));
  const mean = inner.reduce((sum, n) => sum + n, 0) / Math.max(1, inner.length);
  const variance = inner.reduce((sum, n) => sum + (n - mean) ** 2, 0) / Math.max(1, inner.length);
  return {
    received: report.count,
    expected,
    off_pct: ((report.count - expected) / expected) * 100,
    span_s: report.count === 0 ? 0 : (report.last_ms - report.first_ms) / 1000,
    bins: inner.length,
    mean_per_bin: mean,
    cv: mean === 0 ? Infinity : Math.sqrt(variance) / mean,
    empty_pct: (inner.filter((n) => n === 0).length / Math.max(1, inner.length)) * 100,
    peak_per_bin: Math.max(0, ...inner),
  };
}

/** 2. Pacing at 5000 rps (constant arrivals): count and evenness of arrivals, seen by the server. */
export async function pacingSection(context) {
  const { tools, options, scratch, say } = context;
  const seconds = options.seconds;
  const expected = PACING_RATE * seconds;
  const server = await startServer(tools, { mode: 'arrivals', core: SERVER_CORE });
  const rows = [];
  try {
    say(`pacing: live-assure ${PACING_RATE} rps for ${seconds} s`);
    await server.command('reset');
    const run = await runLiveAssure(tools, { url: server.url, rate: PACING_RATE, seconds, connections: CONNECTIONS, scratch });
    context.runs.pacing = run;
    rows.push({
      tool: 'live-assure',
      command: run.command,
      ...pacingStats(await server.command('report'), expected),
      lag_p99_ms: run.summary.generator_lag_ms?.p99,
      lag_max_ms: run.summary.generator_lag_ms?.max,
      dropped: run.summary.arrivals?.dropped,
      cpu_s: run.measured.cpu_s,
      peak_rss_mb: mb(run.measured.max_rss_kb),
    });
    say(`pacing: autocannon -R ${PACING_RATE} for ${seconds} s`);
    await server.command('reset');
    const cannon = await runAutocannon(tools, { url: server.url, seconds, connections: CONNECTIONS, rate: PACING_RATE, scratch });
    rows.push({ tool: 'autocannon', command: cannon.command, ...pacingStats(await server.command('report'), expected), cpu_s: cannon.measured.cpu_s, peak_rss_mb: mb(cannon.measured.max_rss_kb) });
  } finally {
    await server.stop();
  }
  const live = rows[0];
  const countOk = Math.abs(live.received - expected) <= expected * 0.001;
  return {
    id: 'pacing',
    title: `2. Pacing: ${PACING_RATE} rps constant for ${seconds} s, ${CONNECTIONS} connections; arrivals binned by the server in 10 ms bins (first and last 100 ms dropped)`,
    rows,
    verdicts: [
      { pass: countOk, text: `pacing count: live-assure delivered ${live.received} of ${expected} (${signed(live.off_pct, 3)}%; goal within ±0.1%)` },
      { pass: live.cv <= 0.2, text: `pacing evenness: CV of per-10-ms counts ${live.cv.toFixed(3)} (goal ≤ 0.2; autocannon -R ${rows[1]?.cv.toFixed(2)})` },
    ],
    notes: [],
  };
}

const signed = (value, digits) => `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;

/** The value at percentile q the way HdrHistogram reads it: the ceil(q·n)-th smallest. */
function percentile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((q / 100) * sorted.length) - 1))];
}

/**
 * The true latencies of a constant schedule against the stall server: request k is meant for
 * k/rate; its phase in the server's windows (which start at the first request) decides it. One
 * meant for the last `stallMs` of a window cannot finish before the window ends, whichever way it
 * waits (held by the server, or queued behind held connections); the others take the service
 * time (`serviceMs`: the server's round trip, measured).
 */
function stallTruth({ rate, seconds, windowMs, stallMs, serviceMs }) {
  const count = Math.round(rate * seconds);
  const gap = 1000 / rate;
  const latencies = new Float64Array(count);
  let stalled = 0;
  for (let k = 0; k < count; k += 1) {
    const phase = (k * gap) % windowMs;
    const held = phase >= windowMs - stallMs;
    if (held) stalled += 1;
    latencies[k] = (held ? windowMs - phase : 0) + serviceMs;
  }
  latencies.sort();
  return { count, stalled, p50: percentile(latencies, 50), p90: percentile(latencies, 90), p99: percentile(latencies, 99), max: latencies[count - 1] };
}

const ROUND_TRIPS = 200;

/** The server's service time as a client sees it: median of sequential keep-alive GETs (after 50 unmeasured). */
async function roundTripMs(url) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const times = [];
  try {
    for (let index = 0; index < ROUND_TRIPS + 50; index += 1) {
      const startedAt = performance.now();
      await new Promise((resolve, reject) => {
        get(`${url}/`, { agent }, (response) => {
          response.resume();
          response.once('end', resolve);
        }).once('error', reject);
      });
      if (index >= 50) times.push(performance.now() - startedAt);
    }
  } finally {
    agent.destroy();
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

/** 3. Stall accuracy: live-assure's percentiles against the true ones, server freezing 1 s in 5. */
export async function stallSection(context) {
  const { tools, options, scratch, say } = context;
  const windows = Math.max(2, Math.ceil((2 * options.seconds * 1000) / STALL.windowMs));
  const seconds = (windows * STALL.windowMs) / 1000;
  const server = await startServer(tools, { mode: 'stall', core: SERVER_CORE, extra: ['--window-ms', String(STALL.windowMs), '--stall-ms', String(STALL.stallMs)] });
  let run;
  let seen;
  let serviceMs;
  try {
    // Before the reset: the server's windows start at the first request after it.
    serviceMs = await roundTripMs(server.url);
    say(`stall: live-assure ${STALL.rate} rps for ${seconds} s against a server stalling ${STALL.stallMs} ms of every ${STALL.windowMs} ms`);
    await server.command('reset');
    run = await runLiveAssure(tools, { url: server.url, rate: STALL.rate, seconds, connections: STALL.connections, scratch });
    seen = await server.command('report');
  } finally {
    await server.stop();
  }
  const truth = stallTruth({ rate: STALL.rate, seconds, windowMs: STALL.windowMs, stallMs: STALL.stallMs, serviceMs });
  const reported = run.summary.latency_ms;
  const rows = ['p50', 'p90', 'p99', 'max'].map((name) => {
    const error = reported[name] - truth[name];
    const absolute = name === 'p50' && truth[name] < 10;
    return {
      percentile: name,
      true_ms: truth[name],
      reported_ms: reported[name],
      error_ms: error,
      rel_error: error / truth[name],
      absolute,
      judged: name !== 'max',
      pass: name === 'max' ? null : absolute ? Math.abs(error) <= 1 : Math.abs(error) <= 0.1 * truth[name],
      rule: name === 'max' ? 'not judged' : absolute ? 'within 1 ms' : 'within 10%',
    };
  });
  const judged = rows.filter((row) => row.judged);
  return {
    id: 'stall',
    title: `3. Stall accuracy: ${STALL.rate} rps constant for ${seconds} s, ${STALL.connections} connections; the server holds every response arriving in the last ${STALL.stallMs} ms of each ${STALL.windowMs} ms window until the window ends`,
    rows,
    run: {
      command: run.command,
      requests: run.summary.requests,
      responses: run.summary.responses,
      errors: run.summary.errors,
      server_received: seen.count,
      server_held: seen.held,
      service_ms: serviceMs,
      true_stalled: truth.stalled,
      lag_p50_ms: run.summary.generator_lag_ms?.p50,
      lag_p99_ms: run.summary.generator_lag_ms?.p99,
    },
    verdicts: [
      {
        pass: judged.every((row) => row.pass),
        text: `stall: ${judged.map((row) => `${row.percentile} ${fmt(row.reported_ms)} vs true ${fmt(row.true_ms)} ms (${row.absolute ? `${signed(row.error_ms, 2)} ms` : `${signed(row.rel_error * 100, 1)}%`})`).join(', ')} (goal: within 10%, p50 within 1 ms)`,
      },
    ],
    notes: [
      `true latency: a request meant for phase φ ≥ ${STALL.windowMs - STALL.stallMs} ms of a window cannot finish before the window ends (${STALL.windowMs} − φ ms, plus the service time); the others take the service time, ${serviceMs.toFixed(2)} ms (median of ${ROUND_TRIPS} sequential keep-alive GETs from the bench process before the run). ${truth.stalled} of ${truth.count} are stalled. The server itself held ${seen.held}: the rest waited in live-assure's connection queue behind the held ${STALL.connections} connections, which is the same wait from the intended time.`,
    ],
  };
}

const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(2));

/** 4. Peak RSS of the live-assure process (every thread) at 50 connections; --long: flatness. */
export async function rssSection(context) {
  const { tools, options, scratch, say } = context;
  const rows = [];
  let flatOut = context.runs.flatOut;
  if (flatOut === undefined) {
    flatOut = await withBareServer(context, 'rss: live-assure flat out', (url) => runLiveAssure(tools, { url, rate: FLAT_OUT_RATE, seconds: options.seconds, connections: CONNECTIONS, scratch }));
  }
  const rssRow = (what, measured, sampled = measured.sampled_hwm_kb) => ({ what, peak_rss_mb: mb(measured.max_rss_kb), sampled_hwm_mb: mb(sampled), source: measured.rss_source });
  rows.push(rssRow(`live-assure flat out (--rate ${FLAT_OUT_RATE}, ${CONNECTIONS} connections, ${options.seconds} s)`, flatOut.measured));
  if (context.runs.pacing !== undefined) rows.push(rssRow(`live-assure ${PACING_RATE} rps (pacing run)`, context.runs.pacing.measured));
  say('rss: live-assure floor (10 rps for 2 s)');
  const floorServer = await startServer(tools, { mode: 'bare', core: SERVER_CORE });
  try {
    const floor = await runLiveAssure(tools, { url: floorServer.url, rate: 10, seconds: 2, connections: CONNECTIONS, scratch });
    rows.push(rssRow('live-assure floor (10 rps, 2 s)', floor.measured));
  } finally {
    await floorServer.stop();
  }
  if (context.runs.autocannonFlatOut !== undefined) rows.push(rssRow(`autocannon flat out (${CONNECTIONS} connections), for comparison`, context.runs.autocannonFlatOut));

  const peak = rows[0].peak_rss_mb;
  const verdicts = [{ pass: peak <= RSS_BUDGET_MB, text: `rss: live-assure peak RSS flat out at ${CONNECTIONS} connections ${peak.toFixed(1)} MB (goal ≤ ${RSS_BUDGET_MB} MB)` }];
  let long;
  if (options.long) {
    const minutes = options.longMinutes;
    const server = await startServer(tools, { mode: 'bare', core: SERVER_CORE });
    try {
      say(`rss --long: live-assure ${PACING_RATE} rps for ${minutes} min, RSS every 10 s`);
      const run = await runLiveAssure(tools, { url: server.url, rate: PACING_RATE, seconds: minutes * 60, connections: CONNECTIONS, scratch, keepEveryMs: 10_000 });
      const samples = run.measured.samples;
      const meanOf = (list) => list.reduce((sum, sample) => sum + sample.rss_kb, 0) / Math.max(1, list.length);
      const end = samples.at(-1)?.at_s ?? 0;
      const first = mb(meanOf(samples.filter((sample) => sample.at_s < 60)));
      const second = mb(meanOf(samples.filter((sample) => sample.at_s >= 60 && sample.at_s < 120)));
      const last = mb(meanOf(samples.filter((sample) => sample.at_s >= end - 60)));
      long = {
        minutes,
        rate: PACING_RATE,
        requests: run.summary.requests,
        errors: run.summary.errors,
        samples: samples.map((sample) => ({ at_s: Math.round(sample.at_s), rss_mb: Number(mb(sample.rss_kb).toFixed(1)) })),
        first_minute_mb: first,
        second_minute_mb: second,
        last_minute_mb: last,
        growth: last / first - 1,
        growth_after_first_minute: last / second - 1,
      };
      // The heap grows to its working size over the first minute or so; a leak keeps growing after.
      verdicts.push({
        pass: long.growth_after_first_minute <= 0.1,
        text: `rss --long: mean RSS first minute ${first.toFixed(1)} MB, second ${second.toFixed(1)} MB, last ${last.toFixed(1)} MB (first → last ${signed(long.growth * 100, 1)}%; second → last ${signed(long.growth_after_first_minute * 100, 1)}%, goal ≤ +10%)`,
      });
    } finally {
      await server.stop();
    }
  }
  return { id: 'rss', title: `4. Peak RSS of the live-assure process (every thread; with --workers 1 the generator runs on the main thread)`, rows, long, verdicts, notes: [] };
}
