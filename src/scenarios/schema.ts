import { z } from 'zod';
import { MAX_WORKERS } from './erlang-c.js';
import { count, duration, fraction, num, rate } from './units.js';

/**
 * The scenario file: what the event looks like (audience, journeys), what each request costs downstream
 * (endpoints' call graph), what the platform has (services), and how to load-test it. The schema is
 * the truth: types are inferred from it and `scenarios/scenario.schema.json` is generated from it.
 */

// Spelled out rather than with the `i` flag, which the generated JSON Schema pattern would lose.
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const name = (what: string) =>
  z.string().regex(NAME, `${what} names use letters, digits, "-" and "_"`);


/** Bounds keep arithmetic finite (no Infinity reaching Erlang C); no real night comes near them. */
const LARGEST = 1e12;
const positive = (max = LARGEST) => num(z.number().positive('must be > 0').max(max, `must be ≤ ${max.toLocaleString('en-US')}`));
const wholePositive = (max = LARGEST) =>
  num(z.number().int('expected a whole number').positive('must be > 0').max(max, `must be ≤ ${max.toLocaleString('en-US')}`));
const keyValue = z.union([z.string(), z.number()]);

const curvePoint = z.strictObject({
  at: duration().describe('Time since the event starts, e.g. `0m`, `30m`, `1h45m`.'),
  share: fraction().describe('Share of the peak audience online at that time (0–1 or `40%`); linear between points.'),
});

const audience = z.strictObject({
  peak: wholePositive().describe('Peak concurrent viewers (PCU), e.g. `3_000_000`.'),
  curve: z.array(curvePoint).min(1).describe('Audience over time as a share of the peak; must start at `0m`.'),
});

const keyDistribution = z
  .strictObject({
    zipf: z
      .strictObject({
        n: wholePositive().describe('Number of distinct values (ranks 1..n).'),
        s: positive().describe('Zipf exponent: ~1 for room popularity; larger is more skewed.'),
        first: num(z.number().int()).default(1).describe('Value of rank 1; rank r is `first + r - 1`.'),
      })
      .optional()
      .describe('Values drawn by popularity rank (Zipf).'),
    uniform: z
      .strictObject({
        min: num(z.number().int()).describe('Smallest value drawn.'),
        max: num(z.number().int()).describe('Largest value drawn.'),
      })
      .optional()
      .describe('Whole numbers drawn uniformly from min..max.'),
    values: z.array(keyValue).min(1).optional().describe('An explicit list, drawn uniformly.'),
    hot: z
      .array(z.strictObject({ value: keyValue, share: fraction().describe('Share of all draws that hit this value.') }))
      .optional()
      .describe('Explicit hot values (the final\'s main room) taking a fixed share of all traffic.'),
    shadow_range: z
      .tuple([num(z.number().int()), num(z.number().int())])
      .optional()
      .describe('Inclusive id range reserved for shadow (load-test) identities, e.g. `[9000000000, 9000999999]`.'),
    sequence: z
      .strictObject({
        start: num(z.number().int()).default(1).describe('The first value.'),
        step: num(z.number().int()).default(1).describe('Added for each draw.'),
      })
      .optional()
      .describe('A new value for every draw (start, start + step, …), unique across the whole run.'),
    csv: z
      .strictObject({
        file: z.string().min(1).describe('CSV file, relative to the scenario file; the first row names the columns.'),
        column: z.string().min(1).describe('The column whose values are drawn.'),
        order: z.enum(['sequence', 'random']).default('sequence').describe('`sequence` goes through the rows in order and starts over; `random` draws rows uniformly.'),
      })
      .optional()
      .describe('Values fed from a CSV file (a feeder): user ids, tokens, room ids exported from production.'),
  })
  .describe('How values of a key (room id, uid, …) are drawn.');

const expectation = z
  .strictObject({
    status: z
      .union([wholePositive(599), z.array(wholePositive(599)).min(1)])
      .optional()
      .describe('Expected HTTP status (or list of statuses); anything else is a failed check.'),
    contains: z.string().optional().describe('Text the response body must contain.'),
  })
  .describe('What a successful response looks like; a response that differs counts as a failed check.');

const methodPath = (method: string) =>
  z.string().optional().describe(`${method} this path (with \`{{key}}\` templates), e.g. \`/room/info?room_id={{room}}\`.`);

const step = z.strictObject({
  name: name('step').describe('Endpoint name: the call graph (`endpoints`) and thresholds refer to it.'),
  GET: methodPath('GET'),
  POST: methodPath('POST'),
  PUT: methodPath('PUT'),
  PATCH: methodPath('PATCH'),
  DELETE: methodPath('DELETE'),
  HEAD: methodPath('HEAD'),
  headers: z.record(z.string(), z.string()).optional().describe('Request headers (templates allowed).'),
  json: z.unknown().optional().describe('JSON body (templates allowed in strings).'),
  body: z.string().optional().describe('Raw body (templates allowed).'),
  expect: expectation.optional(),
  capture: z
    .record(name('capture'), z.string().min(1))
    .optional()
    .describe('Values taken from this step\'s JSON response for later steps, by path: `{ token: "$.data.token" }` makes `{{token}}` available.'),
  write: z
    .boolean()
    .optional()
    .describe('Whether this step writes; by default a step writes unless it is a GET or HEAD. A write needs `writes` (where it lands) for its isolation to be proven; `write: false` declares a POST that only reads.'),
  writes: z
    .array(
      z.strictObject({
        redis: z.string().min(1).describe('Production name of a Redis key this step writes, with the request\'s `{{key}}` values, e.g. `danmaku:{{room}}`; the shadow copy is `<prefix><name>`.'),
        store: name('store').optional().describe('Which of `shadow.stores` holds it; needed only when there are several.'),
      }),
    )
    .default([])
    .describe('What this step writes, by production name: preflight probes it, the sentinel watches it, the audit counts it.'),
  think: duration().optional().describe('Pause after this step before the next one.'),
  timeout: duration().optional().describe('Give up on this request after this long.'),
});

const surge = z.strictObject({
  at: duration().describe('When the surge starts (time since the event starts).'),
  for: duration().describe('How long it lasts.'),
  x: positive(1000).describe('Multiplier on the journey\'s rate during the surge (e.g. 6 when the winning goal lands).'),
});

const journey = z.strictObject({
  description: z.string().optional().describe('Free text for people reading the scenario.'),
  per_viewer: rate().optional().describe('How often each concurrent viewer starts this journey, e.g. `0.6/min`.'),
  rate: rate().optional().describe('A fixed rate independent of the audience, e.g. `200/s` (bots, jobs).'),
  surges: z.array(surge).default([]).describe('Bursts on top of the curve.'),
  steps: z.array(step).min(1).describe('Requests made in order by each arrival.'),
});

const asyncWrites = z.strictObject({
  share: fraction().describe('Share of these calls made asynchronous (buffered and flushed in batches).'),
  batch: positive(1e6).describe('Most calls merged into one flush.'),
  flush_every: duration().describe('Each flusher flushes at least this often.'),
  flushers: wholePositive().default(1).describe('Independent flush buffers (e.g. one per instance).'),
});

const call = z.strictObject({
  to: name('service').describe('Downstream service (a key of `services`).'),
  fanout: num(z.number().nonnegative('must be ≥ 0').max(1e6, 'must be ≤ 1,000,000')).default(1).describe('Calls made per request.'),
  cache_hit: fraction().default(0).describe('Share of calls answered by a cache in front, never reaching the service.'),
  batch: num(z.number().min(1, 'must be ≥ 1').max(1e6, 'must be ≤ 1,000,000')).default(1).describe('Requests merged into one downstream call.'),
  async: asyncWrites.optional().describe('Asynchronous, batched writes: they reach the service at their flush rate.'),
});

const endpoint = z.strictObject({
  calls: z.array(call).default([]).describe('What one request to this endpoint costs downstream.'),
});

const latencyBudget = z.strictObject({
  p50_ms: positive().optional().describe('Median latency budget, milliseconds.'),
  p90_ms: positive().optional().describe('90th-percentile latency budget, milliseconds.'),
  p95_ms: positive().optional().describe('95th-percentile latency budget, milliseconds.'),
  p99_ms: positive().optional().describe('99th-percentile latency budget, milliseconds.'),
  p999_ms: positive().optional().describe('99.9th-percentile latency budget, milliseconds.'),
  error_rate: fraction().optional().describe('Highest acceptable share of failed requests.'),
});

const SERVICE_KINDS = ['http', 'redis', 'mysql'] as const;

const service = z.strictObject({
  kind: z.enum(SERVICE_KINDS).default('http').describe('`http` scales by instances; `redis` and `mysql` by nodes (shards).'),
  description: z.string().optional().describe('Free text for people reading the scenario.'),
  per_instance_qps: positive().optional().describe('QPS one instance serves at full load (http), from a load test or `capacity usl`.'),
  instances: count().optional().describe('Instances in the fixed pool (http).'),
  elastic: count().default(0).describe('Extra instances the elastic pool can add on the night (http).'),
  per_node_qps: positive().optional().describe('QPS one node (shard) serves at full load (redis, mysql).'),
  nodes: count().optional().describe('Nodes (shards) the data is spread over (redis, mysql).'),
  keyed_by: name('key').optional().describe('The key (from `keys`) this service is sharded by: enables hot-key checks.'),
  service_time_ms: positive().optional().describe('Mean time one request takes inside the service; enables Erlang C sizing.'),
  workers: wholePositive(MAX_WORKERS).optional().describe('Requests one instance serves at once; default per_instance_qps × service time.'),
  slo: latencyBudget.optional().describe('This service\'s own latency budget; defaults to the scenario SLO.'),
  calls: z.array(call).default([]).describe('What one request served by this service costs further downstream.'),
});

const stage = z.strictObject({
  ramp: duration().optional().describe('Move linearly to `to` over this long.'),
  hold: duration().optional().describe('Stay at the current level this long.'),
  step: duration().optional().describe('Jump to `to` and stay this long.'),
  spike: duration().optional().describe('Jump to `to` for this long, then back to the level before.'),
  to: num(z.number().nonnegative('must be ≥ 0')).optional().describe('Level as a share of the scaled forecast rate (1 = peak).'),
});

const load = z.strictObject({
  scale: positive().default(1).describe('Share of the forecast peak to generate (0.001 = one thousandth).'),
  arrivals: z.enum(['poisson', 'constant']).default('poisson').describe('Arrival process of the open model.'),
  stages: z.array(stage).min(1).describe('The load profile over time.'),
  thresholds: z.array(z.string()).default([]).describe('Pass/fail checks, e.g. `room-info.p99<200ms`, `errors.rate<0.1%`.'),
  abort: z.array(z.string()).default([]).describe('Stop early, e.g. `errors.rate>5% for 10s`.'),
});

const controlRequest = step.pick({ GET: true, POST: true, PUT: true, PATCH: true, DELETE: true, HEAD: true, headers: true, json: true, body: true, expect: true });

const redisStore = z.strictObject({
  url: z
    .string()
    .regex(/^rediss?:\/\/[^/]/, 'must be a redis:// or rediss:// URL')
    .optional()
    .describe('The Redis the platform writes to (`${env:NAME}` keeps a password out of the file); omit it only for the embedded demo, which then keeps its data in a private redis-server.'),
  prefix: z.string().min(1).default('shadow:').describe('What the platform puts in front of a key name in shadow work.'),
});

const shadow = z.strictObject({
  header: z.string().min(1).default('x-live-assure-shadow').describe('Header carrying the shadow tag (the run id).'),
  stores: z
    .record(name('store'), z.strictObject({ redis: redisStore.describe('A Redis store: shadow keys are the production names with a prefix.') }))
    .default({})
    .describe('Where the platform\'s writes may land: every write step\'s `writes` name keys in these stores.'),
  preflight_wait: duration()
    .default(3000)
    .describe('How long a preflight probe waits for its write to show up in shadow storage (asynchronous writes).'),
  sentinel_every: duration().default(2000).describe('How often, during a run, production keys are sampled for this run\'s markers and shadow ids.'),
  fail_closed: z
    .strictObject({
      switch_off: controlRequest.describe('Turns the target\'s shadow routing off.'),
      reported_off: controlRequest.optional().describe('Asks the target whether shadow routing is off; its `expect` must hold before the probe is sent.'),
      switch_on: controlRequest.describe('Turns shadow routing back on: always sent, whatever happened.'),
    })
    .optional()
    .describe('Preflight also proves the target fails closed: with shadow routing off, a tagged write must be refused and write nothing.'),
});

export const scenarioSchema = z.strictObject({
  name: name('scenario').describe('Short name, used in run directories and reports.'),
  description: z.string().optional().describe('Free text for people reading the scenario.'),
  audience,
  keys: z.record(name('key'), keyDistribution).default({}).describe('Value distributions used by `{{key}}` templates.'),
  journeys: z.record(name('journey'), journey).describe('What viewers do.'),
  endpoints: z.record(name('endpoint'), endpoint).default({}).describe('Call graph: endpoint → downstream services.'),
  services: z.record(name('service'), service).default({}).describe('What the platform has: capacity and instances.'),
  slo: latencyBudget.optional().describe('End-to-end service-level objective.'),
  headroom: fraction({ max: 'exclusive' }).default(0.4).describe('Capacity kept spare at the peak (0.4 = run at most 60% loaded).'),
  load: load.optional(),
  shadow: shadow.default({ header: 'x-live-assure-shadow', stores: {}, preflight_wait: 3000, sentinel_every: 2000 }),
});

export type Scenario = z.output<typeof scenarioSchema>;
export type Journey = Scenario['journeys'][string];
export type Step = Journey['steps'][number];
export type Call = z.output<typeof call>;
export type Service = Scenario['services'][string];
export type KeyDistribution = Scenario['keys'][string];
export type LatencyBudget = z.output<typeof latencyBudget>;
export type LoadProfile = NonNullable<Scenario['load']>;
