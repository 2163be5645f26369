import type { LoadPlan, PlannedStep } from '../engine/load-plan.js';
import { plannedRequest } from '../engine/scenario-load-plan.js';
import type { RoutingSwitch } from '../engine/shadow-preflight.js';
import { compileTemplate } from '../engine/template.js';
import { UsageError } from '../errors.js';
import type { Scenario } from '../scenarios/schema.js';
import { escapeRedisGlob } from '../shadow/redis-glob.js';

/** What a scenario says about its writes, checked: which steps write, where, and how to probe them. */
export interface IsolationPlan {
  writeSteps: string[];
  /** Write steps whose isolation cannot be proven, let through by `--allow-unisolated-writes`. */
  unisolated: string[];
  stores: Array<{ name: string; url?: string; prefix: string }>;
  /** Redis globs of the production key shapes written, by store. */
  shapes: Array<{ store: string; glob: string }>;
  failClosed?: RoutingSwitch;
  waitMs: number;
  sentinelEveryMs: number;
  idRanges: Record<string, readonly [number, number]>;
}

/** What the command line says about isolation. */
export interface IsolationFlags {
  command: 'loadtest' | 'preflight' | 'rehearse';
  allowUnisolated?: boolean;
  /** `--shadow-redis`: the URL of stores the scenario gives none for. */
  redis?: string;
  /** Control requests' timeout (`--timeout`). */
  timeoutMs: number;
}

function list(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}`;
}

function writeStepsOf(plan: LoadPlan): PlannedStep[] {
  const seen = new Map<string, PlannedStep>();
  for (const journey of plan.journeys) for (const step of journey.steps) if (step.write && !seen.has(step.name)) seen.set(step.name, step);
  return [...seen.values()];
}

function templateGlob(template: string): string {
  return compileTemplate(template)
    .map((part) => (typeof part === 'string' ? escapeRedisGlob(part) : '*'))
    .join('');
}

/**
 * Refuses (exit 2) to load-test writes whose isolation cannot be proven — no `shadow.stores`, or a
 * write step that declares no `writes` — unless the user says so with `--allow-unisolated-writes`.
 */
export function planIsolation(scenario: Scenario, plan: LoadPlan, file: string, flags: IsolationFlags): IsolationPlan {
  const writeSteps = writeStepsOf(plan);
  const stores = Object.entries(scenario.shadow.stores).map(([name, store]) => {
    const url = store.redis.url ?? flags.redis;
    return { name, prefix: store.redis.prefix, ...(url === undefined ? {} : { url }) };
  });
  const undeclared = writeSteps.filter((step) => step.writes.length === 0).map((step) => step.name);
  const unprovable = stores.length === 0 ? writeSteps.map((step) => step.name) : undeclared;
  if (unprovable.length > 0 && flags.allowUnisolated !== true) {
    const why = [
      ...(undeclared.length === 0 ? [] : [`${list(undeclared)} ${undeclared.length === 1 ? 'declares' : 'declare'} no \`writes:\``]),
      ...(stores.length === 0 ? ['the scenario declares no shadow.stores'] : []),
    ].join(', and ');
    throw new UsageError(
      `${file}: ${list(unprovable)} ${unprovable.length === 1 ? 'writes' : 'write'} (a step that is not a GET writes unless it says write: false), but ${why}: isolation cannot be proven`,
      `declare where writes land (shadow.stores, and writes: [{ redis: "key:{{id}}" }] on each write step; see scenarios/demo.yaml)${flags.command === 'preflight' ? '' : ', or pass --allow-unisolated-writes'}`,
    );
  }
  const failClosed = scenario.shadow.fail_closed;
  const timeoutMs = flags.timeoutMs;
  const idRanges: Record<string, readonly [number, number]> = {};
  for (const [name, key] of Object.entries(scenario.keys)) if (key.shadow_range !== undefined) idRanges[name] = key.shadow_range;
  return {
    writeSteps: writeSteps.map((step) => step.name),
    unisolated: unprovable,
    stores,
    shapes: writeSteps.flatMap((step) => step.writes.map((write) => ({ store: write.store, glob: templateGlob(write.key) }))),
    ...(failClosed === undefined
      ? {}
      : {
          failClosed: {
            switchOff: plannedRequest(failClosed.switch_off, 'switch_off', timeoutMs),
            ...(failClosed.reported_off === undefined ? {} : { reportedOff: plannedRequest(failClosed.reported_off, 'reported_off', timeoutMs) }),
            switchOn: plannedRequest(failClosed.switch_on, 'switch_on', timeoutMs),
          },
        }),
    waitMs: scenario.shadow.preflight_wait,
    sentinelEveryMs: scenario.shadow.sentinel_every,
    idRanges,
  };
}


/** Whether the embedded demo must keep its data in a Redis of its own, for the checks to look into. */
export function needsDemoRedis(scenario: Scenario): boolean {
  return Object.values(scenario.shadow.stores).some((store) => store.redis.url === undefined);
}
