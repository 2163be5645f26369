import { Command, CommanderError, Option } from 'commander';
import { formatIssue, InvalidInputError, LiveAssureError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import type { LoadtestFlags } from './commands/loadtest-options.js';
import type { RehearseFlags } from './commands/rehearse.js';
import type { ProbeOptions } from './commands/probe.js';
import type { ReportFlags } from './commands/report.js';
import type { SopsLintFlags } from './commands/sops-lint.js';
import type { WatchFlags } from './commands/watch.js';
import type { Io } from './io.js';
import { readVersion } from './version.js';

/** What an action hands back to `main`: the exit code of the command. */
type Outcome = { exitCode: number };

/**
 * The commander program. Every command's module is imported lazily inside its action, so
 * `live-assure --help` loads commander and nothing else.
 */
export function createProgram(io: Io, outcome: Outcome): Command {
  const program = new Command('live-assure')
    .description('Capacity and load assurance for big live events: forecast, load test, rehearse, report.')
    .version(readVersion(), '-V, --version')
    .option('--debug', 'show stack traces for every error')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .exitOverride();

  const done = (code: number): void => {
    outcome.exitCode = code;
  };

  program
    .command('validate')
    .description('check scenario and SOP files (an SOP against its load\'s scenario too); print every located error')
    .argument('<file...>', 'scenario or SOP YAML files')
    .option('--json', 'print the result as JSON')
    .action(async (files: string[], options: { json?: boolean }) => {
      const { runValidate } = await import('./commands/validate.js');
      done(await runValidate(files, options, io));
    });

  program
    .command('plan')
    .description('forecast per-service peak QPS and capacity for an event scenario')
    .argument('<scenario>', 'scenario YAML file')
    .option('--json', 'print the whole plan as JSON')
    .action(async (file: string, options: { json?: boolean }) => {
      const { runPlan } = await import('./commands/plan.js');
      done(await runPlan(file, options, io));
    });

  program
    .command('demo')
    .description('run the embedded reference live platform (gateway + room, danmaku and gift services)')
    .option('--port <port>', 'gateway port (0 picks a free one)', '8080')
    .option('--host <host>', 'gateway address to listen on', '127.0.0.1')
    .option('--redis <url>', 'keep the data in this Redis (through shadow key routing) instead of in memory')
    .option('--admin-token <token>', 'bearer token for /admin (default: $LIVE_ASSURE_ADMIN_TOKEN, else a random one, printed at start)')
    .option('--no-shadow-routing', 'start with shadow routing off: every shadow request is refused with 503')
    .option('--hot-room-qps <n>', 'room-info requests per second that make a room hot', '50')
    .option('--private-redis', 'keep the data in a private redis-server started (and stopped) with the demo')
    .option('--upstream <service=host:port>', 'the gateway reaches this service (room-svc, danmaku-svc, gift-svc) there, e.g. through a fault proxy; repeat for more', (value: string, previous: string[] | undefined) => [...(previous ?? []), value])
    .option('--json', 'print the addresses and token as one JSON line instead of the banner')
    .addOption(new Option('--embedded', 'started by another command: JSON line, stop when stdin closes').hideHelp())
    .action(async (options: { port: string; host: string; redis?: string; adminToken?: string; shadowRouting: boolean; hotRoomQps: string; privateRedis?: boolean; upstream?: string[]; json?: boolean; embedded?: boolean }) => {
      const { runDemo } = await import('./commands/demo.js');
      done(await runDemo(options, io));
    });

  program
    .command('proxy')
    .description('run a Toxiproxy-compatible TCP fault proxy: the Toxiproxy REST API over live-assure\'s toxics')
    .option('--listen <host:port>', 'address of the Toxiproxy API (port 0 picks a free one)', '127.0.0.1:8474')
    .option('--seed <n>', 'seed for the per-connection toxicity rolls: the same seed replays the same rolls')
    .option('--populate <file.json>', 'create these proxies at start: a JSON array, as toxiproxy-server -config takes')
    .option('--json', 'print the API address and proxies as one JSON line instead of the banner')
    .action(async (options: { listen: string; seed?: string; populate?: string; json?: boolean }) => {
      const { runProxy } = await import('./commands/proxy.js');
      done(await runProxy(options, io));
    });

  const collect = (value: string, previous: string[]): string[] => [...previous, value];
  program
    .command('loadtest')
    .description('drive a scenario\'s journeys (open model) against a target, or the embedded demo without one; verdict from thresholds')
    .argument('[scenario]', 'scenario YAML file (or use --url for one ad-hoc request)')
    .option('--target <url>', 'base URL of the platform (default: start the embedded demo platform)')
    .option('--url <url>', 'ad hoc: load this one URL at --rate for --duration, no scenario')
    .option('--method <method>', 'ad hoc: HTTP method (default GET, or POST with --body)')
    .option('--body <body>', 'ad hoc: request body')
    .option('--header <name:value>', 'ad hoc: request header; repeat for more', collect, [])
    .option('--rate <rps>', 'ad hoc: requests per second (e.g. 500 or 30000/min)')
    .option('--name <endpoint>', 'ad hoc: endpoint name in thresholds and output', 'request')
    .option('--duration <d>', 'cap the run (a scenario\'s stages are cut, never stretched); required with --url')
    .option('--scale <x>', 'share of the forecast peak to generate, instead of the scenario\'s load.scale')
    .addOption(new Option('--arrivals <process>', 'arrival process (default: the scenario\'s, else constant)').choices(['poisson', 'constant']))
    .option('--threshold <expr>', 'pass/fail check, e.g. "room-info.p99<200ms" or "errors.rate<0.1%"; repeat for more', collect, [])
    .option('--abort <expr>', 'stop early (exit 4) when this holds, e.g. "errors.rate>5% for 10s"; repeat for more', collect, [])
    .option('--workers <n>', 'generator threads (default: one per core, at most 8)')
    .option('--connections <n>', 'connections per target origin per worker', '256')
    .option('--max-in-flight <n>', 'journeys in flight per worker before arrivals are dropped (and reported)', '10000')
    .option('--timeout <d>', 'give up on a request after this long (a step\'s own timeout wins)', '10s')
    .option('--max-lag <d>', 'scheduling lag above which the generator counts as not keeping up', '100ms')
    .option('--seed <n>', 'seed for arrivals and key draws: the same seed replays the same run')
    .option('--out <dir>', 'run directory (default: runs/<UTC timestamp>-<name>)')
    .option('--no-tui', 'plain progress lines instead of the live dashboard')
    .option('--allow-unisolated-writes', 'load-test write steps whose isolation cannot be proven (no shadow.stores); every output says so')
    .option('--keep-shadow', 'leave the run\'s shadow data in place after the run (no cleanup)')
    .option('--shadow-redis <url>', 'the Redis of a shadow store whose url the scenario leaves out (your platform\'s)')
    .option('--json', 'print the summary as JSON on stdout (progress goes to stderr)')
    .action(async (file: string | undefined, options: LoadtestFlags) => {
      const { runLoadtest } = await import('./commands/loadtest.js');
      done(await runLoadtest(file, options, io));
    });

  program
    .command('rehearse')
    .description('rehearse degradation SOPs under background load: inject, detect, mitigate, verify, always roll back')
    .argument('<sop...>', 'SOP YAML files (e.g. sops/*.yaml)')
    .option('--target <url>', 'base URL of the platform (default: start the embedded demo, with fault proxies in front of its Redis and services)')
    .option('--toxiproxy <url>', 'with --target: the Toxiproxy API (or `live-assure proxy`) that toxic triggers go through')
    .option('--junit <file>', 'write JUnit XML: one testsuite per SOP, one testcase per check')
    .option('--out <dir>', 'run directory (with several SOPs, one subdirectory each; default: runs/<UTC timestamp>-rehearse-<id>)')
    .option('--dry-run', 'validate and print each SOP\'s resolved timeline; touch nothing')
    .option('--seed <n>', 'seed for toxicity rolls, arrivals and key draws (default 1: rehearsals replay the same)')
    .option('--shadow-redis <url>', 'with --target: the Redis of a shadow store the load\'s scenario leaves the url out of')
    .option('--allow-unisolated-writes', 'with --target: run load whose write steps\' isolation cannot be proven')
    .option('--no-tui', 'plain timeline lines instead of the live view')
    .option('--json', 'print the results as JSON on stdout (the timeline goes to stderr)')
    .action(async (files: string[], options: RehearseFlags) => {
      const { runRehearse } = await import('./commands/rehearse.js');
      done(await runRehearse(files, options, io));
    });

  program
    .command('watch')
    .description('receive Prometheus Alertmanager webhooks, link each alert to the SOP that answers it, record the night')
    .requiredOption('--sops <dir>', 'the directory of SOP files alerts are linked to (required)')
    .option('--listen <host:port>', 'address of the webhook receiver (port 0 picks a free one)', '127.0.0.1:9095')
    .option('--token <t>', 'Bearer token Alertmanager must send (default: $LIVE_ASSURE_WATCH_TOKEN; none: no auth)')
    .option('--out <dir>', 'run directory (default: runs/<UTC timestamp>-watch)')
    .option('--no-tui', 'plain lines instead of the live view of firing, resolved and unlinked alerts')
    .option('--json', 'print the receiver address as one JSON line; events go to stderr')
    .action(async (options: WatchFlags) => {
      const { runWatch } = await import('./commands/watch.js');
      done(await runWatch(options, io));
    });

  program
    .command('report')
    .description('render run directories (loadtest, rehearsal, watch) into one post-event report: HTML, Markdown, JSON, JUnit')
    .argument('<run-dir...>', 'run directories, or a directory of them (e.g. runs)')
    .option('--format <formats>', 'comma-separated: html, md, json, junit', 'html,md')
    .option('--out <dir>', 'where the report files go (default: reports/<UTC timestamp>)')
    .option('--scenario <file>', 'forecast from this scenario instead of the one recorded in the runs')
    .option('--sops <dir>', 'the SOP set: SOPs never rehearsed in these runs are listed too')
    .option('--max-age <d>', 'a rehearsal older than this is stale', '30d')
    .option('--json', 'print the report model as JSON on stdout (and write no files unless --out is given)')
    .action(async (dirs: string[], options: ReportFlags) => {
      const { runReport } = await import('./commands/report.js');
      done(await runReport(dirs, options, io));
    });

  const sops = program
    .command('sops')
    .description('SOP set maintenance: check alert rules and SOPs against each other');

  sops
    .command('lint')
    .description('every alert rule\'s runbook_url resolves to an SOP, every SOP\'s matchers match a rule, no SOP\'s last green rehearsal is older than --max-age')
    .requiredOption('--rules <files...>', 'Prometheus rule files (YAML) (required)')
    .requiredOption('--sops <dir>', 'the directory of SOP files (required)')
    .option('--runs <dir>', 'where run directories of rehearsals are', 'runs')
    .option('--max-age <d>', 'an SOP whose last green rehearsal is older than this is listed', '30d')
    .option('--json', 'print the findings as JSON')
    .action(async (options: SopsLintFlags) => {
      const { runSopsLint } = await import('./commands/sops-lint.js');
      done(await runSopsLint(options, io));
    });

  program
    .command('probe')
    .description('closed-loop concurrency sweep of one URL: the knee under a p99 SLO (per_instance_qps) and a USL fit')
    .requiredOption('--url <url>', 'the URL to load, on one instance of the service (required)')
    .requiredOption('--concurrency <levels>', 'strictly increasing concurrency levels, e.g. 1,2,4,8,16,32 (required)')
    .option('--step-duration <duration>', 'how long each level runs (1s to 1h)', '10s')
    .option('--method <method>', 'HTTP method (default GET, or POST with --body)')
    .option('--body <body>', 'request body')
    .option('--header <name:value>', 'request header; repeat for more', (value: string, previous: string[] | undefined) => [...(previous ?? []), value])
    .option('--slo-p99 <ms>', 'p99 latency a level must meet to count for the knee', '200ms')
    .option('--service <name>', 'the scenario service this URL is one instance of (report sets the knee against its per_instance_qps)')
    .option('--out <dir>', 'also write a run directory (kind probe) here, for report')
    .option('--json', 'print the result as JSON')
    .action(async (options: ProbeOptions) => {
      const { runProbe } = await import('./commands/probe.js');
      done(await runProbe(options, io));
    });

  const shadow = program
    .command('shadow')
    .description('write-path isolation: prove a scenario\'s writes land in shadow storage, clean shadow data up');

  shadow
    .command('preflight')
    .description('send one tagged probe per write step and check where it landed (shadow, never production); no load')
    .argument('<scenario>', 'scenario YAML file with write steps and shadow.stores')
    .option('--target <url>', 'base URL of the platform (default: start the embedded demo platform)')
    .option('--shadow-redis <url>', 'the Redis of a shadow store whose url the scenario leaves out (your platform\'s)')
    .option('--json', 'print the report as JSON')
    .action(async (file: string, options: { target?: string; shadowRedis?: string; json?: boolean }) => {
      const { runShadowPreflight } = await import('./commands/shadow-preflight.js');
      done(await runShadowPreflight(file, options, io));
    });

  shadow
    .command('cleanup')
    .description('delete every key under the shadow prefix (SCAN + UNLINK in pipelined batches); safe to re-run')
    .requiredOption('--redis <url>', 'the Redis holding the shadow keys (required)')
    .option('--prefix <prefix>', 'shadow key prefix; nothing outside it is ever deleted', 'shadow:')
    .option('--dry-run', 'count what would be deleted, delete nothing')
    .option('--no-tui', 'plain progress lines instead of a progress bar')
    .option('--json', 'print the counts as JSON')
    .option('--force', 'delete under a prefix that does not look like a shadow prefix')
    .action(async (options: { redis: string; prefix: string; dryRun?: boolean; tui: boolean; json?: boolean; force?: boolean }) => {
      const { runShadowCleanup } = await import('./commands/shadow-cleanup.js');
      done(await runShadowCleanup(options, io));
    });

  const capacity = program
    .command('capacity')
    .description('capacity models for your own measurements (Erlang C sizing, USL fit)');

  capacity
    .command('erlang')
    .description('smallest instance count whose queueing-delay quantile meets a wait budget (M/M/c)')
    .requiredOption('--rate <rps>', 'arrival rate, requests per second (required)')
    .requiredOption('--service-ms <ms>', 'mean service time of one request, milliseconds (required)')
    .requiredOption('--wait-ms <ms>', 'queueing-delay budget, milliseconds (required)')
    .addOption(new Option('--quantile <q>', 'quantile of the queueing delay that must meet the budget').default('0.99'))
    .option('--workers <n>', 'requests one instance serves at once; above 1, each instance is its own M/M/n queue behind a load balancer', '1')
    .option('--json', 'print the result as JSON')
    .action(async (options: { rate: string; serviceMs: string; waitMs: string; quantile: string; workers?: string; json?: boolean }) => {
      const { runCapacityErlang } = await import('./commands/capacity-erlang.js');
      done(await runCapacityErlang(options, io));
    });

  capacity
    .command('usl')
    .description('fit the Universal Scalability Law to concurrency,throughput measurements')
    .argument('<csv>', 'CSV file with concurrency,throughput rows')
    .option('--at-throughput <x>', 'also give the concurrency needed for this throughput')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, options: { atThroughput?: string; json?: boolean }) => {
      const { runCapacityUsl } = await import('./commands/capacity-usl.js');
      done(await runCapacityUsl(file, options, io));
    });

  return program;
}

function reportError(error: unknown, io: Io, debug: boolean): number {
  if (error instanceof InvalidInputError && error.issues.length > 1) {
    // Several located problems read best as `validate` prints them: one per line, then a count.
    for (const issue of error.issues) io.stderr.write(`${formatIssue(issue)}\n`);
    io.stderr.write(`live-assure: ${error.issues.length} problems in ${[...new Set(error.issues.map((issue) => issue.file))].join(', ')}\n`);
    if (error.hint !== undefined) io.stderr.write(`hint: ${error.hint}\n`);
    if (debug && error.stack !== undefined) io.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  if (error instanceof LiveAssureError) {
    io.stderr.write(`live-assure: ${error.message}\n`);
    if (error.hint !== undefined) io.stderr.write(`hint: ${error.hint}\n`);
    if (debug && error.stack !== undefined) io.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr.write(`live-assure: internal error\n${stack}\n`);
  io.stderr.write(`This is a bug in live-assure ${readVersion()}. Please report it with the command line and this output.\n`);
  return ExitCode.Internal;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code; the one error boundary. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const outcome: Outcome = { exitCode: ExitCode.Ok };
  const program = createProgram(io, outcome);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return outcome.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every parse error was already printed by commander.
      return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Invalid;
    }
    const debug = argv.includes('--debug');
    return reportError(error, io, debug);
  }
}
