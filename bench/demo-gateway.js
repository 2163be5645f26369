// Benchmark: the embedded demo gateway's requests/s beside a bare node:http server, measured in
// the same run on the same machine, so we know the demo will not be the bottleneck of a
// one-machine load test. Runs against the built dist/: `npm run bench:demo`, or
// `node bench/demo-gateway.js [--duration <s>] [--warmup <s>] [--connections <n>] [--json]`.
//
// Exit codes: 0 done; 1 a target answered more than 1% errors or non-2xx; 2 the bench could not
// run (bad option, no build, a server did not start); 130 interrupted.
import { stopAutocannon } from './lib/autocannon-run.js';
import { machineBusyCores } from './lib/cpu-usage.js';
import { loadtestHeadroom } from './lib/loadtest-need.js';
import { measureTargets } from './lib/measure-targets.js';
import { parseOptions, USAGE, UsageError } from './lib/options.js';
import { buildReport, renderTable } from './lib/report.js';
import { stopServers } from './lib/servers.js';
import { findOnPath } from './lib/wrk-run.js';

let interrupted = false;
/** Ends the wrk and `live-assure plan` processes still running. */
const leaving = new AbortController();

async function cleanUp() {
  stopAutocannon();
  leaving.abort();
  await stopServers();
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

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const say = (message) => {
    if (!options.json) process.stderr.write(`bench: ${message}\n`);
  };
  const wrk = await findOnPath('wrk');
  // Sampled before any server starts, so the warning is about other processes only.
  const busy = await machineBusyCores(1000);
  const results = await measureTargets(options, wrk, say, leaving.signal);
  const loadtest = await loadtestHeadroom(results, leaving.signal);
  const report = buildReport({ options, busy, wrk, results, loadtest });
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderTable(report));
  return report.failures.length > 0 ? 1 : 0;
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
