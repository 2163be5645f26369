import { z } from 'zod';
import { TOXIC_TYPES } from '../faults/proxy-model.js';
import { duration, fraction, num, rate } from '../scenarios/units.js';

/**
 * The SOP file: one degradation procedure, rehearsed as inject → detect → mitigate → verify →
 * roll back under background load. Strict like scenario files: unknown keys are errors, and every
 * rule the schema cannot say is checked in sop-rules.ts.
 */

const name = (what: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, `a ${what} name: letters, digits, _ . - (no spaces)`)
    .describe(`A ${what} name.`);

const target = (method: string) =>
  z.string().optional().describe(`${method} this path (joined to the target) or absolute URL; \`\${env:NAME}\` for secrets.`);

const expectation = z.strictObject({
  status: z
    .union([num(z.number().int().min(100).max(599)), z.array(num(z.number().int().min(100).max(599))).min(1)])
    .optional()
    .describe('Expected status (or list); default: any status below 400.'),
  contains: z.string().optional().describe('Text the response body must contain.'),
  headers: z.record(z.string(), z.string()).optional().describe('Headers the response must carry, with these values.'),
});

const httpCall = z
  .strictObject({
    GET: target('GET'),
    POST: target('POST'),
    PUT: target('PUT'),
    PATCH: target('PATCH'),
    DELETE: target('DELETE'),
    HEAD: target('HEAD'),
    headers: z.record(z.string(), z.string()).optional().describe('Request headers (`${env:NAME}` for secrets: they are redacted in every output).'),
    json: z.unknown().optional().describe('JSON body.'),
    body: z.string().optional().describe('Raw body.'),
    expect: expectation.optional(),
    timeout: duration().default(10_000).describe('Give up on the request after this long.'),
  })
  .describe('An HTTP call: exactly one of GET/POST/PUT/PATCH/DELETE/HEAD.');

const redisValue = z.union([z.string(), z.number()]).transform(String);

const redisCall = z
  .strictObject({
    url: z.string().regex(/^rediss?:\/\/[^/]/, 'must be a redis:// or rediss:// URL').optional().describe('The Redis to change; omitted, the demo platform\'s.'),
    set: z.strictObject({ key: z.string().min(1), value: redisValue, ttl: duration().optional() }).optional().describe('SET key value [PX ttl].'),
    del: z.strictObject({ key: z.string().min(1) }).optional().describe('DEL key.'),
    hset: z.strictObject({ key: z.string().min(1), field: z.string().min(1), value: redisValue, ttl: duration().optional() }).optional().describe('HSET key field value, then PEXPIRE key ttl.'),
  })
  .describe('A Redis change: exactly one of set, del, hset.');

const shellCall = z
  .strictObject({
    command: z.string().min(1).describe('Run with /bin/sh -c.'),
    timeout: duration().default(30_000).describe('Killed after this long (a failure).'),
    expect_exit: num(z.number().int().min(0).max(255)).default(0).describe('The exit status that means success.'),
  })
  .describe('A shell command.');

const waitUntil = z
  .strictObject({
    http: httpCall.describe('Polled until its `expect` holds.'),
    every: duration().default(1000).describe('Poll interval.'),
    within: duration().describe('Fail if it has not held by then: no blind sleeps.'),
  })
  .describe('Waits until a condition holds, with a bound.');

const manualStep = z
  .strictObject({
    prompt: z.string().min(1).describe('Asked of the person running the rehearsal.'),
    default: z.enum(['continue', 'abort']).default('continue').describe('The answer in CI (no terminal) and when nobody answers within the timeout.'),
    timeout: duration().default(300_000).describe('How long to wait for an answer.'),
  })
  .describe('A step a person does; answered by its default in CI.');

const actions = {
  http: httpCall.optional(),
  redis: redisCall.optional(),
  shell: shellCall.optional(),
  wait_until: waitUntil.optional(),
  manual: manualStep.optional(),
};

const action = z.strictObject(actions).describe('One action: exactly one of http, redis, shell, wait_until, manual.');

const step = z.strictObject({
  name: z.string().min(1).describe('What the step does, as the journal and JUnit name it.'),
  ...actions,
  undo: z
    .union([z.literal('restore-previous'), action])
    .optional()
    .describe('What rollback does for this step: an action, or `restore-previous` (a redis step: the value before it is put back).'),
});

const toxic = z
  .strictObject({
    proxy: name('proxy').describe('The fault proxy to poison: on the demo platform `store` (its Redis) or a service (`room-svc`, `danmaku-svc`, `gift-svc`).'),
    type: z.enum(TOXIC_TYPES).describe('Toxiproxy toxic type.'),
    stream: z.enum(['upstream', 'downstream', 'both']).default('downstream').describe('Client → server (upstream), server → client (downstream), or both (latency only).'),
    toxicity: fraction().default(1).describe('Share of connections affected, rolled once per connection from the rehearsal seed.'),
    attributes: z.record(z.string(), num()).default({}).describe('Toxiproxy attributes: latency/jitter ms, rate KB/s, delay ms (slicer: µs), timeout ms, bytes, average_size, size_variation.'),
  })
  .describe('A Toxiproxy toxic on the built-in fault proxy (or a real Toxiproxy with --toxiproxy).');

const demoFault = z
  .strictObject({
    target: z.string().min(1).describe('A demo fault target: room-svc, danmaku-svc, gift-svc, store, or rank-writes (only the gift rank update).'),
    latency_ms: num(z.number().int().min(0).max(60_000)).default(0),
    error_rate: fraction().default(0),
    down: z.boolean().default(false),
  })
  .describe('A demo platform fault hook (PUT /admin/faults/<target>).');

const trigger = z
  .strictObject({
    toxic: toxic.optional(),
    demo_fault: demoFault.optional(),
    http: httpCall.optional(),
    shell: shellCall.optional(),
    remove: action.optional().describe('How to remove an http or shell fault (a toxic or demo fault is removed by itself).'),
  })
  .describe('The fault: exactly one of toxic, demo_fault, http, shell.');

/** The env var name rule of `${env:NAME}` references. */
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name: letters, digits and _, not starting with a digit');

const alertDetection = z
  .strictObject({
    matchers: z
      .record(z.string(), z.string())
      .optional()
      .describe('Labels the alert must carry, with these values (equality, as in `links.alerts`), e.g. `{ alertname: RoomInfoLatencyHigh }`; omitted: any of the SOP\'s own `links.alerts` matcher sets.'),
    listen: z
      .string()
      .default('127.0.0.1:9095')
      .describe('host:port of the webhook receiver the rehearsal runs from before the injection to the end; point an Alertmanager webhook_configs url at http://<listen>/webhook.'),
    token_env: envName
      .optional()
      .describe('Environment variable holding the Bearer token Alertmanager must send (`http_config.authorization.credentials`); omitted: no token is asked for.'),
  })
  .describe('Detected when Alertmanager notifies a firing alert with these labels after the fault went in; TTD is the notification\'s arrival.');

const detection = z
  .strictObject({
    within: duration().describe('The fault must be detected this soon after it is injected.'),
    probe: z
      .strictObject({ http: httpCall, every: duration().default(1000).describe('Poll interval.') })
      .optional()
      .describe('Detected when this call\'s `expect` holds.'),
    metric: z.string().optional().describe('Detected when the background load shows it, e.g. `room-info.p99>250ms` over one window.'),
    alert: alertDetection.optional(),
  })
  .describe('A timed contract: exactly one of probe, metric or alert must hold within the bound.');

const contentCheck = z
  .strictObject({
    share: fraction().describe('At least this share of the sampled responses…'),
    of: name('step').describe('…of this step (endpoint)…'),
    header: z.record(z.string(), z.string()).optional().describe('…carry these headers with these values.'),
    contains: z.string().optional().describe('…have bodies containing this text.'),
  })
  .describe('A check over the content of the load\'s sampled responses.');

const hypothesis = z
  .union([z.string().describe('`[step.]metric op value`, or relative to the baseline: `room-info.p99<=1.2*baseline`.'), contentCheck])
  .describe('What must hold over a phase window of the background load.');

const phase = z.strictObject({
  settle: duration().default(0).describe('Wait this long after the phase starts before the window opens.'),
  window: duration().describe('How long the load is watched.'),
  hypotheses: z.array(hypothesis).min(1).describe('What must hold over the window.'),
});

const load = z
  .strictObject({
    scenario: z.string().min(1).optional().describe('A scenario file (relative to this SOP): its journeys run through the loadtest engine.'),
    scale: fraction({ max: 'exclusive' }).optional().describe('Share of the scenario\'s forecast peak (default: its load.scale).'),
    url: z.string().min(1).optional().describe('Ad hoc: one URL instead of a scenario.'),
    rate: rate().optional().describe('Ad hoc: requests per second.'),
  })
  .describe('Background load for the whole rehearsal: a scenario, or one URL at a rate.');

const abort = z
  .strictObject({
    when: z.array(z.string()).default([]).describe('Load conditions over consecutive windows, e.g. `errors.rate>20% for 10s`.'),
    max_duration: duration().default(600_000).describe('The rehearsal is aborted (and rolled back) past this.'),
  })
  .describe('When to stop early: rollback still runs.');

export const sopSchema = z.strictObject({
  id: name('SOP').describe('Stable id: alert rules and reports point at it.'),
  title: z.string().min(1).describe('What the SOP is for, in one line.'),
  description: z.string().optional().describe('Free text for people reading the SOP.'),
  owners: z.array(z.string().min(1)).min(1).describe('Who answers for this SOP (teams or people).'),
  links: z
    .strictObject({
      alerts: z
        .array(z.strictObject({ matchers: z.record(z.string(), z.string()).describe('Alertmanager label matchers (`alertname`, `service`, …).') }))
        .default([])
        .describe('The alerts this SOP answers.'),
      journeys: z.array(name('journey')).default([]).describe('The scenario journeys it protects.'),
      runbook: z.string().optional().describe('Where people read the SOP.'),
    })
    .default({ alerts: [], journeys: [] }),
  load,
  trigger,
  detection,
  mitigation: z.array(step).min(1).describe('The degradation steps, in order; each may say how to undo it.'),
  verification: z.strictObject({ baseline: phase, degraded: phase, recovered: phase }).describe('Phases over the background load: before the fault, after mitigation, after rollback.'),
  abort: abort.default({ when: [], max_duration: 600_000 }),
});

export type Sop = z.output<typeof sopSchema>;
