import type { ActionContext, ActionOutcome } from './action-context.js';
import { finishOutcome, type ActionRun } from './action-outcome.js';
import { pollHttp } from './poll-http.js';
import { runHttp } from './run-http.js';
import { runManual } from './run-manual.js';
import { runRedis } from './run-redis.js';
import { runShell } from './run-shell.js';
import type { SopAction } from './sop-action.js';

/** Runs one action (a step's, an undo, a fault's `remove`) and says what it did. */
export async function runAction(action: SopAction, ctx: ActionContext): Promise<ActionOutcome> {
  return (await performAction(action, ctx)).outcome;
}

/** `runAction`, plus whether the action may have changed something (so a step's undo is owed). */
export async function performAction(action: SopAction, ctx: ActionContext): Promise<ActionRun> {
  if (action.http !== undefined) return runHttp(action.http, ctx);
  if (action.redis !== undefined) return runRedis(action.redis, ctx);
  if (action.shell !== undefined) return runShell(action.shell, ctx);
  if (action.manual !== undefined) return runManual(action.manual, ctx);
  if (action.wait_until !== undefined) {
    const { http, every, within } = action.wait_until;
    // Only reads: nothing to undo, but an undo the SOP gives for it still belongs to a step that ran.
    return { outcome: (await pollHttp(http, every, within, ctx)).outcome, touched: true };
  }
  const now = performance.now();
  return { outcome: finishOutcome(ctx.redact, now, { ok: false, summary: 'nothing to do: give one of http, redis, shell, wait_until, manual' }), touched: false };
}
