import { execFile } from 'node:child_process';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { processCpuMs } from './cpu-usage.js';

const run = promisify(execFile);

export async function findOnPath(command) {
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    if (folder === '') continue;
    const candidate = join(folder, command);
    try {
      await run(candidate, ['--version']).catch((error) => {
        // wrk --version prints its version and exits 1; only "not there" matters here.
        if (error.code === 'ENOENT' || error.code === 'EACCES') throw error;
      });
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** `signal` ends a wrk still running. */
export async function measureWithWrk(wrk, target, server, options, signal) {
  if (target.method !== 'GET') throw new Error('the wrk runs only cover GET targets');
  const url = server.url;
  const headerArgs = Object.entries(target.headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const args = ['-t1', `-c${options.connections}`, '--latency', '--timeout', '10s', ...headerArgs];
  if (options.warmup > 0) await run(wrk, [...args, `-d${Math.max(1, Math.round(options.warmup))}s`, `${url}${target.path}`], { signal });
  const cpuBefore = await processCpuMs(server.pid);
  const { stdout } = await run(wrk, [...args, `-d${Math.max(1, Math.round(options.duration))}s`, `${url}${target.path}`], { signal });
  const cpuAfter = await processCpuMs(server.pid);
  const measured = parseWrk(stdout);
  const cpu = cpuBefore === undefined || cpuAfter === undefined || measured.requests === 0 ? null : ((cpuAfter - cpuBefore) * 1000) / measured.requests;
  return { ...measured, server_cpu_us_per_request: cpu };
}

/** Reads wrk's text report: Requests/sec, the latency distribution, errors and non-2xx answers. */
function parseWrk(text) {
  const number = (pattern) => {
    const match = text.match(pattern);
    return match === null ? undefined : Number(match[1]);
  };
  const latency = (quantile) => {
    const match = text.match(new RegExp(`^\\s*${quantile}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm'));
    if (match === null) return undefined;
    return Number(match[1]) * { us: 0.001, ms: 1, s: 1000, m: 60_000 }[match[2]];
  };
  const reqPerSecond = number(/^Requests\/sec:\s+([\d.]+)/m);
  const requests = number(/^\s*(\d+) requests in /m);
  if (reqPerSecond === undefined || requests === undefined) throw new Error(`cannot read wrk's report:\n${text}`);
  const socket = text.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const errors = socket === null ? 0 : socket.slice(1).reduce((sum, count) => sum + Number(count), 0);
  const non2xx = number(/Non-2xx or 3xx responses: (\d+)/) ?? 0;
  return {
    requests,
    req_per_s: reqPerSecond,
    p50_ms: latency(50),
    p99_ms: latency(99),
    errors,
    non2xx,
    error_rate: requests + errors === 0 ? 1 : (errors + non2xx) / (requests + errors),
  };
}
