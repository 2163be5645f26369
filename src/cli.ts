import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { formatIssue, InvalidInputError, LiveAssureError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import type { Io } from './io.js';

/** What an action hands back to `main`: the exit code of the command. */
type Outcome = { exitCode: number };

function readVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed === 'object' && parsed !== null && 'version' in parsed && typeof parsed.version === 'string') {
    return parsed.version;
  }
  return '0.0.0';
}

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
    .description('check scenario files; print every located error')
    .argument('<file...>', 'scenario YAML files')
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
    .option('--admin-token <token>', 'bearer token for /admin (default: a random one, printed at start)')
    .option('--no-shadow-routing', 'start with shadow routing off: every shadow request is refused with 503')
    .option('--hot-room-qps <n>', 'room-info requests per second that make a room hot', '50')
    .option('--json', 'print the addresses and token as one JSON line instead of the banner')
    .addOption(new Option('--embedded', 'started by another command: JSON line, stop when stdin closes').hideHelp())
    .action(async (options: { port: string; host: string; redis?: string; adminToken?: string; shadowRouting: boolean; hotRoomQps: string; json?: boolean; embedded?: boolean }) => {
      const { runDemo } = await import('./commands/demo.js');
      done(await runDemo(options, io));
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
