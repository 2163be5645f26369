import { z } from 'zod';

/**
 * The files of a run directory as `report` reads them. Loose where the writers add fields over
 * time (a newer run still reports), strict about what the report computes with.
 */

const latency = z.object({ p50: z.number(), p90: z.number(), p99: z.number(), p999: z.number(), max: z.number() });

export const manifestFile = z.object({
  kind: z.enum(['loadtest', 'rehearsal', 'watch', 'probe']),
  tool: z.object({ name: z.string(), version: z.string() }),
  invocation: z.object({ command: z.string(), args: z.array(z.string()), options: z.record(z.string(), z.unknown()) }),
  scenario: z.unknown().optional(),
  sop: z.unknown().optional(),
  plan: z.unknown(),
  hash: z.string(),
  started_at: z.string(),
  ended_at: z.string().optional(),
  status: z.enum(['running', 'finished']),
  verdict: z.string().optional(),
  exit_code: z.number().optional(),
});
export type ManifestFile = z.infer<typeof manifestFile>;

const threshold = z.object({ expr: z.string(), value: z.number().nullable(), pass: z.boolean() });
export type RecordedThreshold = z.infer<typeof threshold>;

export const loadSummaryFile = z.object({
  name: z.string(),
  target: z.string(),
  started_at: z.string(),
  ended_at: z.string(),
  duration_ms: z.number(),
  stop_reason: z.string(),
  requests: z.number(),
  responses: z.number(),
  errors: z.number(),
  latency_ms: latency,
  generator: z.object({ kept_up: z.boolean(), warnings: z.array(z.string()) }).optional(),
  thresholds: z.array(threshold),
  abort: z.object({ expr: z.string(), value: z.number().nullable(), at_ms: z.number() }).optional(),
  verdict: z.enum(['pass', 'fail', 'aborted']),
  partial: z.boolean(),
  first_errors: z.array(z.string()).optional(),
  shadow: z
    .object({
      unisolated: z.array(z.string()).default([]),
      preflight: z.union([z.object({ ok: z.boolean(), steps: z.array(z.unknown()).default([]) }), z.object({ skipped: z.string() })]),
      sentinel_hits: z.number().default(0),
      sentinel: z.object({ checks: z.number(), writes_seen: z.number(), writes_checked: z.number(), failed_checks: z.number() }).partial().loose().optional(),
      audit: z.union([z.object({ production_hits: z.number() }).loose(), z.object({ failed: z.string() })]).optional(),
      cleanup: z.unknown().optional(),
    })
    .optional(),
});
export type LoadSummaryFile = z.infer<typeof loadSummaryFile>;

const check = z.object({ group: z.string(), name: z.string(), result: z.enum(['passed', 'failure', 'error', 'skipped']), message: z.string(), ms: z.number(), output: z.string().optional() });
export type JournalCheck = z.infer<typeof check>;

const verdict = z.object({ hypothesis: z.string(), pass: z.boolean(), measured: z.number().nullable().optional(), bound: z.number().nullable().optional(), detail: z.string() });
const window = z.object({ from_second: z.number(), seconds: z.number(), verdicts: z.array(verdict) });

export const journalFile = z.object({
  sop: z.object({ id: z.string(), title: z.string(), owners: z.array(z.string()).default([]), links: z.unknown().optional(), file: z.string().optional(), sha256: z.string().optional() }),
  status: z.string(),
  exit_code: z.number(),
  stop: z.object({ kind: z.string(), reason: z.string() }).optional(),
  started_at: z.string(),
  ended_at: z.string(),
  duration_ms: z.number(),
  seed: z.number().optional(),
  target: z.string().optional(),
  timeline: z.record(z.string(), z.number()),
  timings: z.record(z.string(), z.number().nullable()),
  checks: z.array(check),
  windows: z.record(z.string(), window).default({}),
});
export type JournalFile = z.infer<typeof journalFile>;

/** The alerts a watch session recorded (`events.ndjson` lines of type `alert`). */
export const alertEvent = z.object({
  type: z.literal('alert'),
  change: z.enum(['firing', 'resolved', 'refiring']),
  fingerprint: z.string(),
  alertname: z.string(),
  labels: z.record(z.string(), z.string()),
  startsAt: z.string(),
  endsAt: z.string().optional(),
  sop: z.string().optional(),
  by: z.string().optional(),
  at: z.string(),
});

/** The SOPs a watch session linked alerts to (its manifest's `sop`). */
export const watchedSops = z.array(z.object({ id: z.string(), title: z.string(), file: z.string().optional() }));

/** A `probe --out` sweep's `summary.json`: the knee under its SLO, for forecast vs measured. */
export const probeSummaryFile = z.object({
  url: z.string(),
  method: z.string(),
  service: z.string().optional(),
  slo: z.object({ p99_ms: z.number() }).loose(),
  knee: z.object({ concurrency: z.number(), throughput: z.number(), p99_ms: z.number().nullable() }).nullable(),
  per_instance_qps: z.number().nullable(),
  usl: z.object({ peak: z.object({ concurrency: z.number(), throughput: z.number() }).nullable().optional() }).loose().nullable(),
});
