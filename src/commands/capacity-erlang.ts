import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import {
  ErlangInputError,
  sizeForWait,
  sizeInstancesForWait,
  type ErlangInputName,
  type ErlangSizing,
} from '../scenarios/erlang-c.js';
import { parseFractionText } from '../scenarios/unit-text.js';
import { formatNumber, parseFlagCount, parseFlagNumber } from './flag-numbers.js';
import { renderRows } from './render-rows.js';

export interface CapacityErlangOptions {
  rate: string;
  serviceMs: string;
  waitMs: string;
  quantile: string;
  /** Requests one instance serves at once; 1 (the default) sizes c instances sharing one queue. */
  workers?: string;
  json?: boolean;
}

interface Input {
  rate: number;
  serviceMs: number;
  waitMs: number;
  quantile: number;
  workers: number;
}

/** The flag behind each input the model can refuse. */
const FLAGS: Record<ErlangInputName, string> = {
  rate: '--rate',
  serviceMs: '--service-ms',
  waitMs: '--wait-ms',
  quantile: '--quantile',
  workers: '--workers',
  servers: '--workers',
  offeredLoad: '--rate × --service-ms',
};

/** A quantile as a fraction (`0.99`) or a percentage (`99%`, `99.9%`), strictly between 0 and 1. */
function parseQuantile(raw: string): number {
  const value = parseFractionText(raw);
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

/** One worker per instance is the shared-queue M/M/c of the issue; more is what `plan` models. */
function size(input: Input): ErlangSizing {
  const { workers, ...budget } = input;
  try {
    return workers === 1 ? sizeForWait(budget) : sizeInstancesForWait(input);
  } catch (error) {
    // Each flag was valid on its own; what remains is a combination or a bound only the model knows.
    if (error instanceof ErlangInputError) {
      throw new UsageError(`${error.inputs.map((name) => FLAGS[name]).join(' × ')}: ${error.problem}`);
    }
    throw error;
  }
}

function renderHuman(sizing: ErlangSizing, input: Input): string {
  const load = formatNumber((input.rate * input.serviceMs) / 1000, 4);
  const q = `p${formatNumber(input.quantile * 100, 12)}`;
  const wait = `${formatNumber(input.waitMs, 6)} ms`;
  const model =
    input.workers === 1
      ? 'M/M/c sizing'
      : `M/M/${input.workers} per instance (${input.workers} workers each, behind a load balancer)`;
  const header =
    `${model}: ${formatNumber(input.rate, 6)} req/s × ${formatNumber(input.serviceMs, 6)} ms = ` +
    `${load} ${load === '1' ? 'erlang' : 'erlangs'} offered; budget: ${q} queueing delay ≤ ${wait}`;
  return `${header}\n${renderRows([
    ['instances', String(sizing.instances)],
    ['probability of waiting', formatPercent(sizing.p_wait)],
    [`P(wait > ${wait})`, formatPercent(sizing.p_exceed)],
    ['utilisation', formatPercent(sizing.utilization)],
    ['mean wait', `${formatNumber(sizing.wait_ms_mean)} ms`],
    [`${q} wait`, `${formatNumber(sizing.wait_ms_quantile)} ms`],
  ])}`;
}

/** `capacity erlang`: the smallest instance count whose queueing-delay quantile meets the budget. */
export async function runCapacityErlang(options: CapacityErlangOptions, io: Io): Promise<number> {
  const input: Input = {
    rate: parseFlagNumber('--rate', options.rate, 0, true),
    serviceMs: parseFlagNumber('--service-ms', options.serviceMs, 0, false),
    waitMs: parseFlagNumber('--wait-ms', options.waitMs, 0, true),
    quantile: parseQuantile(options.quantile),
    workers: options.workers === undefined ? 1 : parseFlagCount('--workers', options.workers, 1),
  };
  const sizing = size(input);
  if (options.json === true) {
    const result = {
      ...sizing,
      ...(input.workers === 1 ? {} : { workers: input.workers }),
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
