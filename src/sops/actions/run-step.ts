import type { ActionContext, ActionOutcome } from './action-context.js';
import { finishOutcome } from './action-outcome.js';
import { neverAborted } from './never-aborted.js';
import { performAction, runAction } from './run-action.js';
import { runRedis } from './run-redis.js';
import type { SopStep } from './sop-action.js';

/** An undo runs during rollback: a signal given here bounds it; without one it runs to its own timeouts. */
type Undo = (signal?: AbortSignal) => Promise<ActionOutcome>;

/**
 * Runs one mitigation step; `undo` is what rollback calls for it (absent when the step has none). For `undo: restore-previous` on a redis step, the previous value (string or hash field, with its remaining TTL, or its absence) is snapshotted BEFORE the change and put back exactly (absent → deleted; TTL restored). An undo is returned even when the step failed, if the step may have changed something (http/shell/redis that was sent), because rollback must undo what may have run.
 *
 * The undo does not inherit the step's signal: rollback follows an interrupt (Ctrl-C aborts that
 * signal) and must still run.
 */
export async function runStep(step: SopStep, ctx: ActionContext): Promise<{ outcome: ActionOutcome; undo?: Undo }> {
  const undo = step.undo;
  if (undo === 'restore-previous') {
    if (step.redis === undefined) {
      const ran = await performAction(step, ctx);
      return ran.touched ? { outcome: ran.outcome, undo: async () => cannotRestore(ctx) } : { outcome: ran.outcome };
    }
    const ran = await runRedis(step.redis, ctx, true);
    const restore = ran.restore;
    return restore === undefined ? { outcome: ran.outcome } : { outcome: ran.outcome, undo: restore };
  }
  const ran = await performAction(step, ctx);
  if (undo === undefined || !ran.touched) return { outcome: ran.outcome };
  return { outcome: ran.outcome, undo: (signal) => runAction(undo, { ...ctx, signal: signal ?? neverAborted() }) };
}

/** The rules allow restore-previous on redis steps only; should one slip through, rollback says so instead of skipping it. */
function cannotRestore(ctx: ActionContext): ActionOutcome {
  return finishOutcome(ctx.redact, performance.now(), { ok: false, summary: 'restore-previous puts back a redis change; this step is not one, so nothing was undone' });
}
