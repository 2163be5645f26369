export const USAGE = `usage: node bench/demo-gateway.js [--duration <s>] [--warmup <s>] [--connections <n>] [--json]
  --duration <s>     measured seconds per target (default 10)
  --warmup <s>       unmeasured seconds before each target (default 2)
  --connections <n>  concurrent connections (default 50; pipelining is always 1)
  --json             print the results as JSON instead of a table`;

export class UsageError extends Error {}

export function parseOptions(argv) {
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
