import autocannon from 'autocannon';
import { EnvironmentError } from '../errors.js';

/**
 * A closed-loop concurrency sweep with autocannon: at each level, N connections each keep one
 * request in flight for the step's duration. No rate is given, so autocannon applies no
 * coordinated-omission "correction" (its correction is broken, load-testing.md §B.4): latencies are
 * what each request took, as a closed loop measures them.
 */

export interface SweepTarget {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/** Latency of the 2xx responses, milliseconds at autocannon's 1 ms resolution. */
export interface LatencySummaryMs {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface LevelMeasurement {
  concurrency: number;
  /** How long the level ran, seconds, as measured. */
  duration_s: number;
  /** Successful (2xx) responses per second. */
  throughput: number;
  /** 2xx responses. */
  ok: number;
  /** Responses with any other status. */
  non2xx: number;
  /** Requests that got no response: connection errors and timeouts. */
  errors: number;
  /** Of `errors`, the requests that timed out. */
  timeouts: number;
  /** (non-2xx + errors) / (responses + errors); 0 when nothing finished. */
  error_share: number;
  /** Of the 2xx responses; null when there were none. */
  latency_ms: LatencySummaryMs | null;
}

export interface SweepOptions {
  /** Concurrency levels, in the order to run them. */
  levels: readonly number[];
  stepMs: number;
  /** Aborting it stops the running level; the levels finished before it are returned. */
  signal: AbortSignal;
  /** Called as each level finishes. */
  onLevel?: (level: LevelMeasurement) => void;
}

export interface SweepResult {
  levels: LevelMeasurement[];
  /** The level that was running when the signal stopped the sweep (its partial numbers are dropped); null when the sweep ran to the end. */
  interrupted_at: number | null;
}

/** Failures in a row, with no success yet, after which the first level gives up on the target. */
const UNREACHABLE_AFTER = 10;
/** autocannon only checks for the end of a run once a sample: 100 ms keeps steps and Ctrl-C prompt. */
const SAMPLE_MS = 100;

interface LevelRun {
  result: autocannon.Result;
  firstError: string | undefined;
  interrupted: boolean;
}

function runLevel(target: SweepTarget, concurrency: number, options: SweepOptions, watchReachability: boolean): Promise<LevelRun> {
  return new Promise((resolve, reject) => {
    let firstError: string | undefined;
    let successes = 0;
    let failures = 0;
    const instance = autocannon(
      {
        url: target.url,
        method: target.method,
        headers: target.headers,
        ...(target.body === undefined ? {} : { body: target.body }),
        connections: concurrency,
        duration: options.stepMs / 1000,
        sampleInt: SAMPLE_MS,
        // Latency percentiles describe the successful responses; failures show in the error share.
        excludeErrorStats: true,
      },
      (error, result) => {
        options.signal.removeEventListener('abort', stop);
        if (error !== null) reject(error);
        else resolve({ result, firstError, interrupted: options.signal.aborted });
      },
    );
    function stop(): void {
      instance.stop();
    }
    options.signal.addEventListener('abort', stop, { once: true });
    if (options.signal.aborted) stop();
    if (!watchReachability) return;
    const fail = (): void => {
      failures += 1;
      if (successes === 0 && failures === UNREACHABLE_AFTER) stop();
    };
    instance.on('response', (_client: unknown, status: unknown) => {
      if (typeof status === 'number' && status >= 200 && status < 300) successes += 1;
      else fail();
    });
    instance.on('reqError', (error: unknown) => {
      firstError ??= error instanceof Error ? error.message : String(error);
      fail();
    });
  });
}

function measurementOf(concurrency: number, result: autocannon.Result): LevelMeasurement {
  const ok = result['2xx'];
  const attempts = ok + result.non2xx + result.errors;
  const { p50, p90, p99, max } = result.latency;
  return {
    concurrency,
    duration_s: result.duration,
    throughput: result.duration > 0 ? ok / result.duration : 0,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    error_share: attempts === 0 ? 0 : (result.non2xx + result.errors) / attempts,
    latency_ms: ok === 0 ? null : { p50, p90, p99, max },
  };
}

/** `404 × 57, 500 × 3`: the statuses that came back, most frequent first. */
function statusSummary(result: autocannon.Result): string {
  return Object.entries(result.statusCodeStats)
    .sort(([, a], [, b]) => b.count - a.count)
    .map(([status, { count }]) => `${status} × ${count}`)
    .join(', ');
}

/** The first level decides whether there is a service to measure at all: without one 2xx there is nothing to probe. */
function checkReachable(target: SweepTarget, level: LevelMeasurement, run: LevelRun): void {
  if (level.ok > 0) return;
  if (level.non2xx + level.errors === 0) {
    throw new EnvironmentError(
      `${target.url} sent no response in ${level.duration_s} s at concurrency ${level.concurrency}`,
      'is it hanging? A longer --step-duration gives a slow service time to answer',
    );
  }
  if (level.non2xx === 0) {
    throw new EnvironmentError(`cannot reach ${target.url}: ${run.firstError ?? 'every request failed'}`, 'is the service listening at --url?');
  }
  throw new EnvironmentError(
    `${target.url} answered no request with a 2xx at concurrency ${level.concurrency}: ${statusSummary(run.result)}`,
    'check --url, --method, --header and --body',
  );
}

/** Runs each level in turn; throws EnvironmentError when the first level gets no 2xx response at all (refused, hanging, or only errors). */
export async function runClosedSweep(target: SweepTarget, options: SweepOptions): Promise<SweepResult> {
  const levels: LevelMeasurement[] = [];
  for (const [index, concurrency] of options.levels.entries()) {
    if (options.signal.aborted) return { levels, interrupted_at: concurrency };
    const run = await runLevel(target, concurrency, options, index === 0);
    if (run.interrupted) return { levels, interrupted_at: concurrency };
    const level = measurementOf(concurrency, run.result);
    if (index === 0) checkReachable(target, level, run);
    levels.push(level);
    options.onLevel?.(level);
  }
  return { levels, interrupted_at: null };
}
