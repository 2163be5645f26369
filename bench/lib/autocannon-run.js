import autocannon from 'autocannon';
import { processCpuMs } from './cpu-usage.js';

let running;

/** Stops the autocannon run in progress, if any. */
export function stopAutocannon() {
  running?.stop();
}

/** One autocannon run; resolves to its raw result. */
function cannon(target, url, seconds, connections) {
  const instance = autocannon({
    url: `${url}${target.path}`,
    method: target.method,
    headers: target.headers,
    ...(target.body === undefined ? {} : { body: target.body }),
    connections,
    pipelining: 1,
    duration: seconds,
    timeout: 10,
  });
  running = instance;
  return Promise.resolve(instance).finally(() => {
    running = undefined;
  });
}

export async function measureWithAutocannon(target, server, options) {
  const url = server.url;
  if (options.warmup > 0) await cannon(target, url, options.warmup, options.connections);
  const cpuBefore = await processCpuMs(server.pid);
  const result = await cannon(target, url, options.duration, options.connections);
  const cpuAfter = await processCpuMs(server.pid);
  const answered = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
  const failed = result.errors + result.timeouts;
  return {
    requests: answered,
    req_per_s: answered / result.duration,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    errors: failed,
    non2xx: result.non2xx,
    error_rate: answered + failed === 0 ? 1 : (failed + result.non2xx) / (answered + failed),
    server_cpu_us_per_request: cpuBefore === undefined || cpuAfter === undefined || answered === 0 ? null : ((cpuAfter - cpuBefore) * 1000) / answered,
    status_codes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, stats]) => [code, stats.count])),
  };
}
