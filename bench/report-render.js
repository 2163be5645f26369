// Benchmark: `live-assure report` on a one-hour, 20-endpoint load test (72,000 interval lines with
// real HDR histograms). Goals: the HTML renders in ≤ 2 s and the file is ≤ 2 MB. The time is
// the whole command as a user runs it (a fresh process: start-up, reading, rendering, writing).
//
// `npm run bench:report` (build, then bench), or
// `node bench/report-render.js [--seconds n] [--endpoints n] [--rounds n] [--json]`.
// Exit codes: 0 every goal met; 1 a goal missed; 2 the bench could not run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeSyntheticRun } from './lib/synthetic-run.js';

const BIN = fileURLToPath(new URL('../bin/live-assure.js', import.meta.url));
const GOAL_SECONDS = 2;
const GOAL_BYTES = 2 * 1024 * 1024;

let options;
try {
  ({ values: options } = parseArgs({ options: { seconds: { type: 'string', default: '3600' }, endpoints: { type: 'string', default: '20' }, rounds: { type: 'string', default: '3' }, json: { type: 'boolean', default: false } } }));
} catch (error) {
  process.stderr.write(`${error.message}\nusage: node bench/report-render.js [--seconds n] [--endpoints n] [--rounds n] [--json]\n`);
  process.exit(2);
}
const seconds = Number(options.seconds);
const endpoints = Number(options.endpoints);
const rounds = Math.max(1, Number(options.rounds));

const work = mkdtempSync(join(tmpdir(), 'la-bench-report-'));
try {
  const run = join(work, 'run');
  const made = writeSyntheticRun(run, { seconds, endpoints });
  const inputBytes = statSync(join(run, 'intervals.ndjson')).size;
  const times = [];
  let htmlBytes = 0;
  for (let round = 0; round < rounds; round += 1) {
    const out = join(work, `report-${round}`);
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [BIN, 'report', run, '--format', 'html', '--out', out], { encoding: 'utf8' });
    const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
    if (result.status !== 0 && result.status !== 1) {
      process.stderr.write(`bench: report exited ${result.status}\n${result.stderr}\n`);
      process.exit(2);
    }
    times.push(elapsed);
    htmlBytes = statSync(join(out, 'report.html')).size;
  }
  const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
  const result = {
    node: process.version,
    seconds,
    endpoints,
    interval_lines: made.lines,
    intervals_mb: Number((inputBytes / 1048576).toFixed(1)),
    rounds: times.map((time) => Number(time.toFixed(3))),
    median_s: Number(median.toFixed(3)),
    html_kb: Math.round(htmlBytes / 1024),
    goals: { seconds: GOAL_SECONDS, html_kb: GOAL_BYTES / 1024 },
    met: median <= GOAL_SECONDS && htmlBytes <= GOAL_BYTES,
  };
  if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    process.stdout.write(`report of a ${seconds}s run with ${endpoints} endpoints (${made.lines.toLocaleString('en-US')} interval lines, ${result.intervals_mb} MB)\n`);
    process.stdout.write(`  time   median ${result.median_s}s of ${rounds} (${result.rounds.join(', ')}), goal ≤ ${GOAL_SECONDS}s: ${median <= GOAL_SECONDS ? 'met' : 'MISSED'}\n`);
    process.stdout.write(`  html   ${result.html_kb} KB, goal ≤ ${GOAL_BYTES / 1024} KB: ${htmlBytes <= GOAL_BYTES ? 'met' : 'MISSED'}\n`);
  }
  process.exitCode = result.met ? 0 : 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
