import { randomBytes } from 'node:crypto';
import { searchKeyForTokens } from '../shadow/redis-token-search.js';
import { writeRecord, type CompiledStep } from './compiled-step.js';
import { describeError } from './error-kind.js';
import type { LoadPlan, PlannedJourney, PlannedStep } from './load-plan.js';
import { exchange, probeStep, send, sleep } from './probe-exchange.js';
import { drawUntilUnseen, drawVars, tokensOf } from './probe-values.js';
import type { FailClosedProbe, PreflightOptions, RoutingSwitch } from './shadow-preflight.js';

/**
 * With shadow routing switched off, a tagged write must be refused and write nothing. Routing is
 * left as it was found: switched back on after the probe, unless the target reported it off
 * before; and not touched again when switching it off was refused.
 */
export async function probeFailClosed(options: PreflightOptions, routing: RoutingSwitch): Promise<FailClosedProbe> {
  const { plan, transport } = options;
  // Control requests are the operator's, not load: they carry no shadow tag.
  const untagged: LoadPlan = { ...plan, injectedHeaders: { every: {}, writes: {} } };
  const control = (planned: PlannedStep): CompiledStep => probeStep(planned, untagged);
  const candidate = firstProbeable(plan);
  if (candidate === undefined) return { ok: false, restored: true, problem: 'no write step can be sent on its own (each needs values captured by an earlier step)' };
  const { journey, step: planned } = candidate;
  const step = probeStep(planned, plan);
  const vars = drawVars(options, journey, randomBytes(6).toString('hex'));
  // An id already stored (by the step probes just before, or an earlier run) would read as "still wrote".
  const redraw = await drawUntilUnseen(options, step, vars);
  if (redraw !== undefined) return { ok: false, step: step.planned.name, restored: true, problem: redraw };
  const tokens = tokensOf(step, vars);
  const wasOff = routing.reportedOff !== undefined && (await exchange(transport, control(routing.reportedOff), new Map())).problem === undefined;
  // Returned by reference: the `finally` below must be able to mark it restored (or not).
  const result: FailClosedProbe = { ok: false, step: step.planned.name, restored: false };
  const fail = (problem: string): FailClosedProbe => {
    result.problem = problem;
    return result;
  };
  let switched = wasOff;
  try {
    if (!wasOff) {
      const off = await exchange(transport, control(routing.switchOff), new Map());
      // Refused with an answer (a wrong token, say): routing never changed, nothing to switch back.
      // No answer at all: it may have changed, so it is switched back on to be safe.
      switched = off.problem === undefined || off.status === undefined;
      if (off.problem !== undefined) return fail(`switching shadow routing off failed: ${off.problem}${credentialsHint(off.status)}`);
      if (routing.reportedOff !== undefined) {
        const reported = await exchange(transport, control(routing.reportedOff), new Map());
        if (reported.problem !== undefined) return fail(`the target does not report shadow routing off: ${reported.problem}`);
      }
    }
    const { response, error } = await send(transport, step, vars);
    if (response === undefined) return fail(`the tagged probe got no answer: ${describeError(error)}`);
    result.status = response.status;
    if (response.status < 400) return fail(`with shadow routing off, ${step.planned.name} was served (HTTP ${response.status}) instead of refused: the target fails open`);
    const keys = await writtenAnywhere(options, step, vars, tokens);
    if (keys !== undefined) return fail(`with shadow routing off, ${step.planned.name} was refused (HTTP ${response.status}) but still wrote: ${keys}`);
    result.ok = true;
    if (wasOff) result.left_off = true;
    return result;
  } finally {
    if (wasOff || !switched) result.restored = true;
    else {
      const on = await exchange(transport, control(routing.switchOn), new Map());
      result.restored = on.problem === undefined;
      if (on.problem !== undefined) {
        result.ok = false;
        result.problem = `${result.problem === undefined ? '' : `${result.problem}; and `}switching shadow routing back on failed: ${on.problem}${credentialsHint(on.status)} — the target may refuse all shadow traffic now`;
      }
    }
  }
}

function credentialsHint(status: number | undefined): string {
  return status === 401 || status === 403 ? ' (check the credentials in shadow.fail_closed\'s headers, e.g. export LIVE_ASSURE_ADMIN_TOKEN)' : '';
}

/** The first write step whose request needs nothing captured before it. */
function firstProbeable(plan: LoadPlan): { journey: PlannedJourney; step: PlannedStep } | undefined {
  for (const journey of plan.journeys) {
    const index = journey.steps.findIndex((step) => step.writes.length > 0);
    const step = journey.steps[index];
    if (step === undefined) continue;
    const needsCaptures = journey.steps.slice(0, index).some((earlier) => Object.keys(earlier.captures).length > 0);
    if (!needsCaptures) return { journey, step };
  }
  return undefined;
}

async function writtenAnywhere(options: PreflightOptions, step: CompiledStep, vars: Map<string, string | number>, tokens: string[]): Promise<string | undefined> {
  if (tokens.length === 0) return undefined;
  await sleep(options.waitMs, options.signal);
  for (const written of writeRecord(step, vars).keys) {
    const store = options.stores.find((candidate) => candidate.name === written.store);
    if (store === undefined) continue;
    for (const key of [written.key, `${store.prefix}${written.key}`]) {
      const hit = (await searchKeyForTokens(store.redis, key, tokens)).found[0];
      if (hit !== undefined) return `${hit.token} is in ${key} (${hit.where})`;
    }
  }
  return undefined;
}
