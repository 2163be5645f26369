/**
 * Erlang C (M/M/c): the queueing delay of requests spread over c identical instances, and the
 * smallest c whose delay quantile meets a budget — either c instances sharing one queue, or n
 * instances behind a load balancer, each its own M/M/k queue. Formulas:
 * shared/reference/capacity-models.md.
 */

/** The queueing metrics of one instance count. Times are in milliseconds, probabilities in [0, 1]. */
export interface ErlangSizing {
  instances: number;
  /** C(c, A): the probability that a request waits at all. */
  p_wait: number;
  /** P(Wq > waitMs). */
  p_exceed: number;
  /** ρ = A / c. */
  utilization: number;
  wait_ms_mean: number;
  /** The q-quantile of the queueing delay. */
  wait_ms_quantile: number;
}

interface WaitBudget {
  rate: number;
  serviceMs: number;
  waitMs: number;
  quantile: number;
}

/** The inputs an ErlangInputError can name, as spelt in the input objects. */
export type ErlangInputName = keyof WaitBudget | 'workers' | 'servers' | 'offeredLoad';

/**
 * A RangeError that names the inputs at fault apart from the problem, so that a caller can name
 * them in its own terms (a flag, a scenario field) instead of this module's parameter names.
 */
export class ErlangInputError extends RangeError {
  readonly inputs: readonly ErlangInputName[];
  readonly problem: string;

  constructor(inputs: readonly ErlangInputName[], problem: string) {
    super(`${inputs.join(' × ')}: ${problem}`);
    this.name = 'ErlangInputError';
    this.inputs = inputs;
    this.problem = problem;
  }
}

/**
 * Above this offered load the O(c) search would take seconds; no single pool needs more than
 * 10^8 busy instances, so a bigger value is a unit mistake rather than a real question.
 */
const MAX_OFFERED_LOAD = 1e8;

function requireFinite(name: ErlangInputName, value: number, min: number, inclusive: boolean): void {
  const ok = Number.isFinite(value) && (inclusive ? value >= min : value > min);
  if (!ok) throw new ErlangInputError([name], `must be a finite number ${inclusive ? '≥' : '>'} ${min}, got ${value}`);
}

function requireCount(name: ErlangInputName, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new ErlangInputError([name], `must be a whole number ≥ ${min}, got ${value}`);
}

function validateBudget(input: WaitBudget): void {
  requireFinite('rate', input.rate, 0, true);
  requireFinite('serviceMs', input.serviceMs, 0, false);
  requireFinite('waitMs', input.waitMs, 0, true);
  if (!(Number.isFinite(input.quantile) && input.quantile > 0 && input.quantile < 1)) {
    throw new ErlangInputError(['quantile'], `must be strictly between 0 and 1, got ${input.quantile}`);
  }
}

/** The offered load A = λ·S in erlangs, refused beyond MAX_OFFERED_LOAD so that no search can hang. */
function checkedLoad(input: WaitBudget): number {
  const load = (input.rate * input.serviceMs) / 1000;
  if (load > MAX_OFFERED_LOAD) {
    throw new ErlangInputError(['rate', 'serviceMs'], `offered load of ${load} erlangs is beyond ${MAX_OFFERED_LOAD}; check their units`);
  }
  return load;
}

/** One step of the Erlang B recursion: B(k) from B(k−1). Stays in [0, 1], so no overflow at any k. */
function nextErlangB(previous: number, k: number, load: number): number {
  const carried = load * previous;
  return carried / (k + carried);
}

/** C(c, A) from B(c, A); callers guarantee A < c, so the denominator is positive. */
function erlangCFromB(servers: number, load: number, blocking: number): number {
  return (servers * blocking) / (servers - load * (1 - blocking));
}

/** The probability of waiting, C(c, A). 1 when the pool is saturated (A ≥ c), 0 with no load. */
export function erlangC(servers: number, offeredLoad: number): number {
  requireCount('servers', servers, 0);
  requireFinite('offeredLoad', offeredLoad, 0, true);
  if (offeredLoad === 0) return 0;
  if (offeredLoad >= servers) return 1;
  let blocking = 1;
  for (let k = 1; k <= servers; k += 1) blocking = nextErlangB(blocking, k, offeredLoad);
  return erlangCFromB(servers, offeredLoad, blocking);
}

const IDLE: ErlangSizing = { instances: 0, p_wait: 0, p_exceed: 0, utilization: 0, wait_ms_mean: 0, wait_ms_quantile: 0 };

/** The metrics of c instances given C(c, A); A < c. */
function metricsFor(servers: number, load: number, pWait: number, input: WaitBudget): ErlangSizing {
  // cμ − λ in requests per millisecond: how fast the queue drains once all instances are busy.
  const drain = (servers - load) / input.serviceMs;
  const tail = 1 - input.quantile;
  return {
    instances: servers,
    p_wait: pWait,
    p_exceed: pWait * Math.exp(-drain * input.waitMs),
    utilization: load / servers,
    wait_ms_mean: pWait / drain,
    wait_ms_quantile: pWait <= tail ? 0 : Math.log(pWait / tail) / drain,
  };
}

/** The metrics of a given instance count. A saturated pool (ρ ≥ 1) waits forever: infinite waits. */
export function evaluateErlang(input: WaitBudget & { servers: number }): ErlangSizing {
  validateBudget(input);
  const { servers } = input;
  requireCount('servers', servers, 0);
  const load = (input.rate * input.serviceMs) / 1000;
  if (load === 0) return { ...IDLE, instances: servers };
  if (load >= servers) {
    const utilization = servers === 0 ? Number.POSITIVE_INFINITY : load / servers;
    const forever = Number.POSITIVE_INFINITY;
    return { instances: servers, p_wait: 1, p_exceed: 1, utilization, wait_ms_mean: forever, wait_ms_quantile: forever };
  }
  return metricsFor(servers, load, erlangC(servers, load), input);
}

/**
 * The smallest c with ρ < 1 and P(Wq > waitMs) ≤ 1 − quantile. One pass of the Erlang B
 * recursion: B(c) is carried from c − 1, so the search is O(c) in total.
 */
export function sizeForWait(input: WaitBudget): ErlangSizing {
  validateBudget(input);
  const load = checkedLoad(input);
  if (load === 0) return IDLE;
  // A relative slack so that a target hit exactly (up to rounding of 1 − q) counts as met.
  const allowed = (1 - input.quantile) * (1 + 1e-12);
  let blocking = 1;
  for (let servers = 1; ; servers += 1) {
    blocking = nextErlangB(blocking, servers, load);
    if (servers <= load) continue;
    const metrics = metricsFor(servers, load, erlangCFromB(servers, load, blocking), input);
    if (metrics.p_exceed <= allowed) return metrics;
  }
}

/** Beyond this one "instance" is a pool in itself; each evaluation below costs O(workers). */
export const MAX_WORKERS = 100_000;
/** Keeps the gallop and the bisection on exact integers: low + high ≤ 2^53. */
const MAX_INSTANCES = 2 ** 52;

/**
 * Instances behind a load balancer, each its own M/M/k queue (k = workers) receiving rate/n: the
 * smallest n with P(Wq > waitMs) ≤ 1 − quantile. P falls as n grows, so gallop from the smallest
 * unsaturated n and then bisect. The metrics are those of one instance's queue at rate/n.
 */
export function sizeInstancesForWait(input: WaitBudget & { workers: number }): ErlangSizing & { workers: number } {
  validateBudget(input);
  const { workers } = input;
  requireCount('workers', workers, 1);
  if (workers > MAX_WORKERS) throw new ErlangInputError(['workers'], `must be at most ${MAX_WORKERS}, got ${workers}`);
  const load = checkedLoad(input);
  if (load === 0) return { ...IDLE, workers };
  const { serviceMs, waitMs, quantile } = input;
  const perInstance = (instances: number): ErlangSizing =>
    evaluateErlang({ servers: workers, rate: input.rate / instances, serviceMs, waitMs, quantile });
  // The same relative slack as sizeForWait: a target hit exactly (up to rounding of 1 − q) counts as met.
  const allowed = (1 - quantile) * (1 + 1e-12);
  const meets = (instances: number): boolean => perInstance(instances).p_exceed <= allowed;
  let low = Math.floor(load / workers) + 1;
  let high = low;
  while (!meets(high)) {
    if (high >= MAX_INSTANCES) {
      throw new ErlangInputError(['waitMs', 'quantile'], `needs more than ${MAX_INSTANCES} instances; loosen the budget`);
    }
    low = high + 1;
    high = Math.min(2 * high, MAX_INSTANCES);
  }
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (meets(middle)) high = middle;
    else low = middle + 1;
  }
  return { ...perInstance(high), instances: high, workers };
}
