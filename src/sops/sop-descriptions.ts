import { stepMethodsGiven } from '../scenarios/step-request.js';
import { alertMatcherSets, describeMatcherSets } from './alert-detection.js';
import type { Sop } from './sop-schema.js';

/** One-line names of what an SOP does, as checks, the timeline and `--dry-run` call them. */

type HttpCall = NonNullable<Sop['trigger']['http']>;
type Action = NonNullable<Sop['trigger']['remove']>;

/** A duration as an SOP writes it: `30s`, `250ms`. */
const written = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

/** A measured duration in seconds to a tenth: `4.2s`. */
export function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}

function describeHttp(call: HttpCall): string {
  const [method] = stepMethodsGiven(call);
  if (method === undefined) return 'an HTTP call';
  const status = call.expect?.status;
  const expected = status === undefined ? '' : `, expect ${Array.isArray(status) ? status.join('|') : status}`;
  return `${method} ${call[method] ?? ''}${expected}`;
}

export function describeAction(action: Action): string {
  if (action.http !== undefined) return describeHttp(action.http);
  if (action.redis !== undefined) {
    const { set, del, hset } = action.redis;
    if (set !== undefined) return `redis SET ${set.key}${set.ttl === undefined ? '' : ` (ttl ${written(set.ttl)})`}`;
    if (hset !== undefined) return `redis HSET ${hset.key} ${hset.field}${hset.ttl === undefined ? '' : ` (ttl ${written(hset.ttl)})`}`;
    if (del !== undefined) return `redis DEL ${del.key}`;
  }
  if (action.shell !== undefined) return `shell: ${action.shell.command}`;
  if (action.wait_until !== undefined) return `wait until ${describeHttp(action.wait_until.http)} (every ${written(action.wait_until.every)}, within ${written(action.wait_until.within)})`;
  if (action.manual !== undefined) return `ask: ${action.manual.prompt} (default ${action.manual.default})`;
  return 'nothing';
}

export function describeTrigger(sop: Sop): string {
  const { toxic, demo_fault: demoFault, http, shell } = sop.trigger;
  if (toxic !== undefined) {
    const attributes = Object.entries(toxic.attributes).map(([name, value]) => `${name}=${value}`).join(' ');
    const share = toxic.toxicity < 1 ? `, toxicity ${toxic.toxicity}` : '';
    return `${toxic.type} toxic on proxy ${toxic.proxy} (${toxic.stream}${attributes === '' ? '' : ` ${attributes}`}${share})`;
  }
  if (demoFault !== undefined) {
    const parts = [demoFault.latency_ms > 0 ? `+${demoFault.latency_ms}ms` : '', demoFault.error_rate > 0 ? `${Math.round(demoFault.error_rate * 100)}% errors` : '', demoFault.down ? 'down' : ''].filter((part) => part !== '');
    return `demo fault on ${demoFault.target} (${parts.join(', ') || 'none'})`;
  }
  if (http !== undefined) return describeHttp(http);
  if (shell !== undefined) return `shell: ${shell.command}`;
  return 'no fault';
}

export function describeDetection(sop: Sop): string {
  const { probe, metric, alert, within } = sop.detection;
  const what = probe !== undefined ? `probe ${describeHttp(probe.http)}` : alert !== undefined ? `alert ${describeMatcherSets(alertMatcherSets(sop, alert))}` : (metric ?? 'nothing');
  return `${what} within ${written(within)}`;
}
