// Benchmark: live-assure's load engine (`loadtest --url`) beside autocannon (and wrk when on PATH),
// measured side by side in one run on this machine, the way /work/shared/reference/load-testing.md
// §B measured the peers: server pinned to core 1, generator to core 0, CPU and peak RSS from GNU
// time -v, server CPU from procfs. Sections:
//   cpu     requests per generator CPU-second, flat out, 50 connections (goal ≥ autocannon)
//   pacing  5000 rps constant: count within 0.1%, CV of 10 ms bins ≤ 0.2 (vs autocannon -R)
//   stall   percentiles against a server freezing 1 s in every 5 s, vs the true ones (within 10%)
//   rss     peak RSS at 50 connections ≤ 100 MB; --long: RSS flat over 10 minutes
//
// `npm run bench:loadtest` (build, then bench), or
// `node bench/loadtest-engine.js [--only cpu|pacing|stall|rss] [--seconds n] [--long] [--profile] [--json]`.
// Exit codes: 0 every goal met; 1 a goal missed; 2 the bench could not run; 130 interrupted.
// Every process it starts is ended when it ends, on Ctrl-C too.
import { execFile } from 'node:child_process';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { machineBusyCores } from './lib/cpu-usage.js';
import { ENGINE_USAGE, EngineUsageError, parseEngineOptions } from './lib/engine-options.js';
import { findTools, stopAll } from './lib/engine-procs.js';
import { renderHeader, renderSection, renderVerdicts } from './lib/engine-report.js';
import { cpuSection, pacingSection, rssSection, stallSection } from './lib/engine-sections.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST_CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const SECTION_RUNNERS = { cpu: cpuSection, pacing: pacingSection, stall: stallSection, rss: rssSection };

let interrupted = false;
let scratch;

async function cleanUp() {
  await stopAll();
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true, maxRetries: 5 });
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    interrupted = true;
    process.stderr.write(`\nbench: ${signal}, stopping every process it started\n`);
    const deadline = setTimeout(() => process.exit(130), 5000);
    void cleanUp().finally(() => {
      clearTimeout(deadline);
      process.exit(130);
    });
  });
}

/** The commit src/ is at (and whether it has changes since), which dist/ was presumably built from. */
async function describeCommit() {
  try {
    const git = (...args) => promisify(execFile)('git', args, { cwd: ROOT }).then(({ stdout }) => stdout.trim());
    const [head, changed] = await Promise.all([git('rev-parse', '--short', 'HEAD'), git('status', '--porcelain', '--', 'src')]);
    return changed === '' ? head : `${head} + uncommitted src/ changes`;
  } catch {
    return null;
  }
}

async function main() {
  const options = parseEngineOptions(process.argv.slice(2));
  const say = (message) => process.stderr.write(`bench: ${message}\n`);
  await access(DIST_CLI).catch(() => {
    throw new Error('dist/cli.js is missing: run `npm run build` first');
  });
  const tools = await findTools({ gnuTime: options.gnuTime });
  // Sampled before anything starts, so the warning is about other processes only.
  const machine = { cpus: cpus().length, busy: await machineBusyCores(1000), commit: await describeCommit() };
  scratch = await mkdtemp(join(tmpdir(), 'live-assure-bench-'));
  const context = { tools, options, scratch, say, runs: {}, machine };
  if (!options.json) process.stdout.write(renderHeader(context));
  const sections = [];
  for (const id of options.only) {
    const section = await SECTION_RUNNERS[id](context);
    sections.push(section);
    if (!options.json) process.stdout.write(renderSection(section));
  }
  if (options.json) {
    const report = {
      node: process.version,
      cpus: machine.cpus,
      commit: machine.commit,
      busy_cpus_before: Number(machine.busy.toFixed(2)),
      pinned: tools.taskset,
      measured_with: tools.time === undefined ? '/proc' : 'GNU time -v',
      wrk: tools.wrk ?? null,
      seconds: options.seconds,
      sections,
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else process.stdout.write(renderVerdicts(sections));
  return sections.every((section) => section.verdicts.every((verdict) => verdict.pass)) ? 0 : 1;
}

try {
  process.exitCode = await main();
} catch (error) {
  if (!interrupted) process.stderr.write(`bench: ${error instanceof EngineUsageError ? `${error.message}\n${ENGINE_USAGE}` : error.message}\n`);
  process.exitCode = 2;
} finally {
  await cleanUp();
}
