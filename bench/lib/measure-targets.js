import { measureWithAutocannon } from './autocannon-run.js';
import { startBareServer, startDemo } from './servers.js';
import { TARGETS } from './targets.js';
import { measureWithWrk } from './wrk-run.js';

/**
 * Measures every target, one after the other, each server in its own process: autocannon always,
 * wrk too when `wrk` is its path and the target allows it. `signal` ends a wrk still running.
 */
export async function measureTargets(options, wrk, say, signal) {
  const results = [];
  const record = (target, tool, measured) => {
    results.push({ id: target.id, label: target.label, tool, method: target.method, path: target.path, headers: target.headers, ...measured });
  };
  const measureServer = async (name, server) => {
    for (const target of TARGETS.filter((entry) => entry.server === name)) {
      say(`${target.label}: autocannon ${options.warmup} s warm-up + ${options.duration} s`);
      record(target, 'autocannon', await measureWithAutocannon(target, server, options));
      if (wrk !== undefined && target.wrk) {
        say(`${target.label}: wrk ${options.duration} s`);
        record(target, 'wrk', await measureWithWrk(wrk, target, server, options, signal));
      }
    }
  };

  say('starting the bare node:http server');
  const bare = await startBareServer();
  await measureServer('bare', bare);
  await bare.stop();

  say('starting the embedded demo platform');
  const demo = await startDemo();
  await measureServer('demo', demo);
  await demo.stop();

  for (const result of results) {
    const baseline = results.find((entry) => entry.id === 'bare' && entry.tool === result.tool);
    result.ratio_to_bare = baseline === undefined || baseline.req_per_s === 0 ? null : result.req_per_s / baseline.req_per_s;
  }
  return results;
}
