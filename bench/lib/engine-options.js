export const ENGINE_USAGE = `usage: node bench/loadtest-engine.js [--only cpu|pacing|stall|rss] [--seconds <n>] [--long] [--profile] [--json]
  --only <sections>   run only these sections (comma-separated): cpu, pacing, stall, rss
  --seconds <n>       seconds per measured run (default 10; the stall run takes 2n rounded up to
                      whole 5 s windows)
  --warmup <s>        unmeasured autocannon seconds on each fresh server of the cpu section (default 2)
  --long              also run the memory-flatness check: live-assure at 5000 rps for 10 minutes,
                      RSS every 10 s; first, second and last minute means (not run by default)
  --long-minutes <n>  length of the --long check (default 10)
  --profile           cpu section: one more live-assure run under node --cpu-prof, and where the
                      generator's time goes (per thread)
  --json              print the results as JSON instead of text
  --no-gnu-time       measure CPU from /proc cutime+cstime and RSS from sampled VmHWM even when
                      GNU time is there (the fallback path)`;

export class EngineUsageError extends Error {}

const SECTIONS = ['cpu', 'pacing', 'stall', 'rss'];

export function parseEngineOptions(argv) {
  const options = { only: [...SECTIONS], seconds: 10, warmup: 2, long: false, longMinutes: 10, profile: false, json: false, gnuTime: true };
  const value = (flag, inline, index) => {
    const text = inline ?? argv[index];
    if (text === undefined) throw new EngineUsageError(`${flag} needs a value`);
    return text;
  };
  const number = (flag, text, min, whole) => {
    const parsed = Number(text);
    if (!Number.isFinite(parsed) || parsed < min || (whole && !Number.isInteger(parsed))) {
      throw new EngineUsageError(`${flag} needs ${whole ? 'a whole number' : 'a number'} ≥ ${min}, got ${text}`);
    }
    return parsed;
  };
  for (let index = 0; index < argv.length; index += 1) {
    const [flag, inline] = argv[index].split(/=(.*)/s, 2);
    const takes = () => value(flag, inline, inline === undefined ? (index += 1) : index);
    if (flag === '--help' || flag === '-h') {
      process.stdout.write(`${ENGINE_USAGE}\n`);
      process.exit(0);
    } else if (flag === '--only') {
      const names = takes().split(',').map((name) => name.trim()).filter((name) => name !== '');
      const unknown = names.filter((name) => !SECTIONS.includes(name));
      if (names.length === 0 || unknown.length > 0) throw new EngineUsageError(`--only takes ${SECTIONS.join(', ')}; got ${names.join(',') || 'nothing'}`);
      options.only = SECTIONS.filter((name) => names.includes(name));
    } else if (flag === '--seconds') options.seconds = number(flag, takes(), 2, true);
    else if (flag === '--warmup') options.warmup = number(flag, takes(), 0, true);
    else if (flag === '--long-minutes') {
      options.longMinutes = number(flag, takes(), 2, true);
      options.long = true;
    } else if (flag === '--long') options.long = true;
    else if (flag === '--profile') options.profile = true;
    else if (flag === '--json') options.json = true;
    else if (flag === '--no-gnu-time') options.gnuTime = false;
    else throw new EngineUsageError(`unknown option ${argv[index]}`);
  }
  // --long is part of the rss section.
  if (options.long && !options.only.includes('rss')) options.only.push('rss');
  return options;
}
