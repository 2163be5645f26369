/**
 * The part of autocannon 8's programmatic API that the closed-loop sweep uses (the package ships no
 * types). Shapes read from autocannon's lib/run.js, lib/aggregateResult.js and
 * hdr-histogram-percentiles-obj.
 */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  namespace autocannon {
    interface Options {
      url: string;
      /** Connections, each with one request in flight: a closed loop of this many users. */
      connections?: number;
      /** Seconds (fractions allowed). */
      duration?: number;
      method?: string;
      headers?: Record<string, string>;
      body?: string;
      /** Seconds before a request counts as timed out (an error); default 10. */
      timeout?: number;
      /** Milliseconds between samples; the run stops at the first sample after `duration`. */
      sampleInt?: number;
      /** Leave non-2xx responses out of the latency histogram. */
      excludeErrorStats?: boolean;
      // `overallRate`, `connectionRate` and `ignoreCoordinatedOmission` are left out on purpose:
      // the probe is a closed loop, and autocannon's rate "correction" is broken (load-testing.md §B.4).
    }

    /** Histogram summary; latency values in milliseconds, at 1 ms resolution. */
    interface HistogramSummary {
      average: number;
      mean: number;
      stddev: number;
      min: number;
      max: number;
      p50: number;
      p90: number;
      p99: number;
      totalCount?: number;
      total?: number;
    }

    interface Result {
      url: string;
      connections: number;
      /** Seconds, rounded to 10 ms. */
      duration: number;
      start: Date;
      finish: Date;
      /** Connection errors and timeouts (timeouts are counted in both). */
      errors: number;
      timeouts: number;
      non2xx: number;
      '1xx': number;
      '2xx': number;
      '3xx': number;
      '4xx': number;
      '5xx': number;
      statusCodeStats: Record<string, { count: number }>;
      latency: HistogramSummary;
      /** Completed responses per sample interval; `total` is every completed response, any status. */
      requests: HistogramSummary & { total: number; sent: number };
    }

    /** A running instance: an emitter of `response` and `reqError` events that can be stopped early. */
    interface Instance extends EventEmitter {
      /** Ends the run at the next sample; the callback still receives what was measured. */
      stop(): void;
    }
  }

  function autocannon(options: autocannon.Options, callback: (error: Error | null, result: autocannon.Result) => void): autocannon.Instance;

  export = autocannon;
}
