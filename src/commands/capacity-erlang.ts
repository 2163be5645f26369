import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { sizeForWait, type ErlangSizing } from '../scenarios/erlang-c.js';
import { parseNumberText } from '../scenarios/units.js';
import { formatNumber, parseFlagNumber } from './flag-numbers.js';

export interface CapacityErlangOptions {
  rate: string;
  serviceMs: string;
  waitMs: string;
  quantile: string;
  json?: boolean;
}

/** A quantile as a fraction (`0.99`) or a percentage (`99%`, `99.9%`), strictly between 0 and 1. */
function parseQuantile(raw: string): number {
  const text = raw.trim();
  const percent = text.endsWith('%');
  const parsed = parseNumberText(percent ? text.slice(0, -1) : text);
  const value = parsed === undefined ? undefined : percent ? parsed / 100 : parsed;
  if (value === undefined || value <= 0 || value >= 1) {
    throw new UsageError(`--quantile: expected a quantile between 0 and 1 exclusive (e.g. 0.99 or 99%), got ${JSON.stringify(raw)}`);
  }
  return value;
}

function formatPercent(probability: number): string {
  const percent = probability * 100;
  if (percent === 0) return '0%';
  return percent >= 0.1 ? `${percent.toFixed(1)}%` : `${formatNumber(percent, 2)}%`;
}

function renderHuman(sizing: ErlangSizing, input: { rate: number; serviceMs: number; waitMs: number; quantile: number }): string {
  const load = (input.rate * input.serviceMs) / 1000;
  const q = `p${formatNumber(input.quantile * 100, 12)}`;
  const wait = `${formatNumber(input.waitMs, 6)} ms`;
  const rows: Array<[string, string]> = [
    ['instances', String(sizing.instances)],
    ['probability of waiting', formatPercent(sizing.p_wait)],
    [`P(wait > ${wait})`, formatPercent(sizing.p_exceed)],
    ['utilisation', formatPercent(sizing.utilization)],
    ['mean wait', `${formatNumber(sizing.wait_ms_mean)} ms`],
    [`${q} wait`, `${formatNumber(sizing.wait_ms_quantile)} ms`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const header =
    `M/M/c sizing: ${formatNumber(input.rate, 6)} req/s × ${formatNumber(input.serviceMs, 6)} ms = ` +
    `${formatNumber(load, 4)} erlangs offered; budget: ${q} queueing delay ≤ ${wait}`;
  return [header, ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`)].join('\n') + '\n';
}

/** `capacity erlang`: the smallest instance count whose queueing-delay quantile meets the budget. */
export async function runCapacityErlang(options: CapacityErlangOptions, io: Io): Promise<number> {
  const input = {
    rate: parseFlagNumber('--rate', options.rate, 0, true),
    serviceMs: parseFlagNumber('--service-ms', options.serviceMs, 0, false),
    waitMs: parseFlagNumber('--wait-ms', options.waitMs, 0, true),
    quantile: parseQuantile(options.quantile),
  };
  let sizing: ErlangSizing;
  try {
    sizing = sizeForWait(input);
  } catch (error) {
    // Each flag was valid on its own; only their combination (an absurd offered load) remains.
    if (error instanceof RangeError) throw new UsageError(`--rate × --service-ms: ${error.message}`);
    throw error;
  }
  if (options.json === true) {
    const result = {
      ...sizing,
      offered_load: (input.rate * input.serviceMs) / 1000,
      rate: input.rate,
      service_ms: input.serviceMs,
      wait_ms: input.waitMs,
      quantile: input.quantile,
    };
    io.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    io.stdout.write(renderHuman(sizing, input));
  }
  return 0;
}
