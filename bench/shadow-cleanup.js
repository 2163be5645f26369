// Benchmark: `live-assure shadow cleanup` beside the usual one-liner
//   redis-cli --scan --pattern 'shadow:*' | xargs redis-cli unlink
// on the same key set in the same private redis-server (memory only, a free port), one after the
// other. Goals: 1,000,000 shadow keys deleted in ≤ 10 s, and ≥ 4× faster than the one-liner.
// Both must leave exactly the non-shadow keys, with their values.
//
// `npm run bench:cleanup` (build, then bench), or
// `node bench/shadow-cleanup.js [--keys n] [--survivors n] [--rounds n] [--json]`.
// Exit codes: 0 every goal met; 1 a goal missed or a cleanup left the wrong keys; 2 the bench could
// not run; 130 interrupted. Every process it starts is ended when it ends, on Ctrl-C too.
import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { buildKeySet, checkSurvivors, loadKeySet, startRedisServer } from './lib/cleanup-data.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/live-assure.js', import.meta.url));
const DIST_CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const GOAL_SECONDS = 10;
const GOAL_RATIO = 4;
const USAGE = `usage: node bench/shadow-cleanup.js [--keys n] [--survivors n] [--rounds n] [--json]
  --keys <n>       shadow keys to load (default 1000000)
  --survivors <n>  non-shadow keys that must survive (default 10000)
  --rounds <n>     times each cleanup is measured; the median counts (default 1)
  --json           print the results as JSON`;

class UsageError extends Error {}

/** How to stop each process still running. */
const stops = new Set();
let interrupted = false;

async function stopAll() {
  await Promise.allSettled([...stops].map((stop) => stop()));
  stops.clear();
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    interrupted = true;
    process.stderr.write(`\nbench: ${signal}, stopping every process it started\n`);
    const deadline = setTimeout(() => process.exit(130), 5000);
    void stopAll().finally(() => {
      clearTimeout(deadline);
      process.exit(130);
    });
  });
}

function parseOptions(argv) {
  const options = { keys: 1_000_000, survivors: 10_000, rounds: 1, json: false };
  for (let index = 0; index < argv.length; index += 1) {
    const [flag, inline] = argv[index].split(/=(.*)/s, 2);
    const key = flag.slice(2);
    if (flag === '--json') options.json = true;
    else if (flag === '--help' || flag === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (['keys', 'survivors', 'rounds'].includes(key)) {
      const text = inline ?? argv[(index += 1)];
      const value = Number(text?.replaceAll('_', ''));
      if (!Number.isInteger(value) || value < (key === 'survivors' ? 0 : 1)) throw new UsageError(`${flag} needs a whole number, got ${text ?? 'nothing'}`);
      options[key] = value;
    } else throw new UsageError(`unknown option ${argv[index]}`);
  }
  return options;
}

/**
 * Runs a command to its end and returns its wall time and output. `group` starts it in its own
 * process group, so a shell pipeline can be stopped whole.
 */
async function timed(file, args, { group = false } = {}) {
  const started = process.hrtime.bigint();
  const child = spawn(file, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: group });
  const exited = new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? signal));
  });
  const stop = async () => {
    try {
      if (group) process.kill(-child.pid, 'SIGTERM');
      else child.kill('SIGTERM');
    } catch {
      // already gone
    }
    await exited.catch(() => undefined);
  };
  stops.add(stop);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text) => (stderr += text));
  const code = await exited;
  stops.delete(stop);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`${file} ${args.join(' ')} ended with ${code}: ${stderr.trim()}`);
  return { seconds, stdout, stderr };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const say = (message) => process.stderr.write(`bench: ${message}\n`);
  await access(DIST_CLI).catch(() => {
    throw new Error('dist/cli.js is missing: run `npm run build` first');
  });
  const server = await startRedisServer((stop) => stops.add(stop));
  stops.add(async () => server.client.disconnect());
  say(`redis-server on port ${server.port}; building ${options.keys.toLocaleString('en-US')} shadow + ${options.survivors.toLocaleString('en-US')} other keys`);
  const keySet = buildKeySet(options.keys, options.survivors);
  const port = String(server.port);
  const contenders = [
    {
      name: 'live-assure shadow cleanup',
      command: `node bin/live-assure.js shadow cleanup --redis ${server.url} --json`,
      run: async () => {
        const { seconds, stdout } = await timed(process.execPath, [BIN, 'shadow', 'cleanup', '--redis', server.url, '--json']);
        const result = JSON.parse(stdout);
        return { seconds, deleted: result.deleted, inner_seconds: result.elapsed_ms / 1000 };
      },
    },
    {
      name: 'redis-cli --scan | xargs redis-cli unlink',
      command: `redis-cli -p ${port} --scan --pattern 'shadow:*' | xargs redis-cli -p ${port} unlink`,
      run: async () => {
        const pipeline = `redis-cli -p ${port} --scan --pattern 'shadow:*' | xargs redis-cli -p ${port} unlink`;
        const { seconds, stdout } = await timed('sh', ['-c', pipeline], { group: true });
        const deleted = stdout.split('\n').filter((line) => /^\(integer\) \d+$|^\d+$/.test(line.trim())).reduce((sum, line) => sum + Number(line.replace(/\D/g, '')), 0);
        return { seconds, deleted };
      },
    },
  ];

  const results = contenders.map((contender) => ({ name: contender.name, command: contender.command, runs: [], problems: [] }));
  for (let round = 0; round < options.rounds; round += 1) {
    for (const [index, contender] of contenders.entries()) {
      say(`round ${round + 1}: loading the keys`);
      await loadKeySet(server, keySet);
      say(`round ${round + 1}: ${contender.name}`);
      const run = await contender.run();
      const problems = await checkSurvivors(server, keySet);
      if (run.deleted !== options.keys) problems.push(`deleted ${run.deleted} keys, expected ${options.keys}`);
      results[index].runs.push(run);
      results[index].problems.push(...problems);
      say(`  ${run.seconds.toFixed(2)} s${problems.length === 0 ? '' : `; ${problems.join('; ')}`}`);
    }
  }

  const [ours, theirs] = results.map((result) => ({ ...result, seconds: median(result.runs.map((run) => run.seconds)) }));
  const ratio = theirs.seconds / ours.seconds;
  const verdicts = [
    { goal: `${options.keys.toLocaleString('en-US')} shadow keys deleted in ≤ ${GOAL_SECONDS} s`, measured: `${ours.seconds.toFixed(2)} s`, pass: ours.seconds <= GOAL_SECONDS },
    { goal: `≥ ${GOAL_RATIO}× faster than redis-cli --scan | xargs redis-cli unlink`, measured: `${ratio.toFixed(1)}×`, pass: ratio >= GOAL_RATIO },
    { goal: 'both leave exactly the non-shadow keys, with their values', measured: [...ours.problems, ...theirs.problems].join('; ') || 'yes', pass: ours.problems.length + theirs.problems.length === 0 },
  ];
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ node: process.version, keys: options.keys, survivors: options.survivors, rounds: options.rounds, contenders: [ours, theirs], ratio, verdicts }, null, 2)}\n`);
  } else {
    const lines = [
      `shadow cleanup of ${options.keys.toLocaleString('en-US')} keys (+ ${options.survivors.toLocaleString('en-US')} to keep), median of ${options.rounds} round(s), Node ${process.version}`,
      ...[ours, theirs].map((result) => `  ${result.name.padEnd(44)} ${result.seconds.toFixed(2).padStart(6)} s`),
      `  ratio ${ratio.toFixed(1)}×; live-assure's own timing (without Node start-up): ${median(ours.runs.map((run) => run.inner_seconds)).toFixed(2)} s`,
      ...verdicts.map((verdict) => `${verdict.pass ? 'PASS' : 'FAIL'}  ${verdict.goal}: ${verdict.measured}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return verdicts.every((verdict) => verdict.pass) ? 0 : 1;
}

try {
  process.exitCode = await main();
} catch (error) {
  if (!interrupted) process.stderr.write(`bench: ${error instanceof UsageError ? `${error.message}\n${USAGE}` : error.message}\n`);
  process.exitCode = 2;
} finally {
  await stopAll();
}
