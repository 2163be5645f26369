import type { Sop } from '../sop-schema.js';
import type { ActionOutcome } from './action-context.js';
import { finishOutcome } from './action-outcome.js';
import type { FaultContext, RemoveFault } from './fault-context.js';
import { injectDemoFault } from './inject-demo-fault.js';
import { injectToxic } from './inject-toxic.js';
import { neverAborted } from './never-aborted.js';
import { performAction, runAction } from './run-action.js';

export type { FaultContext, ToxicBackend } from './fault-context.js';
export { builtInToxics, toxiproxyToxics } from './toxic-backends.js';

/**
 * Injects the SOP's trigger. `injectedAt` is performance.now() right after the fault was acknowledged. `remove` takes it away (toxic removed; demo fault DELETEd; http/shell: runs trigger.remove). The toxic is named `live-assure-<sop id>`.
 *
 * `remove` does not inherit the signal: it runs in rollback, after an interrupt too.
 */
export async function injectFault(sop: Sop, ctx: FaultContext): Promise<{ outcome: ActionOutcome; injectedAt?: number; remove: RemoveFault }> {
  const { trigger } = sop;
  if (trigger.toxic !== undefined) return injectToxic(sop.id, trigger.toxic, ctx);
  if (trigger.demo_fault !== undefined) return injectDemoFault(trigger.demo_fault, ctx);
  const action = trigger.http !== undefined ? { http: trigger.http } : trigger.shell !== undefined ? { shell: trigger.shell } : undefined;
  if (action === undefined) {
    const outcome = finishOutcome(ctx.redact, performance.now(), { ok: false, summary: 'no fault to inject: give one of toxic, demo_fault, http, shell' });
    return { outcome, remove: async () => finishOutcome(ctx.redact, performance.now(), { ok: true, summary: 'no fault was injected: nothing to remove' }) };
  }
  const ran = await performAction(action, ctx);
  const removal = trigger.remove;
  const remove: RemoveFault = !ran.touched
    ? async () => finishOutcome(ctx.redact, performance.now(), { ok: true, summary: 'the fault was never sent: nothing to remove' })
    : removal === undefined
      ? async () => finishOutcome(ctx.redact, performance.now(), { ok: false, summary: 'the SOP gives no trigger.remove: remove the fault by hand' })
      : (signal) => runAction(removal, { ...ctx, signal: signal ?? neverAborted() });
  return ran.outcome.ok ? { outcome: ran.outcome, injectedAt: ran.outcome.endedAt, remove } : { outcome: ran.outcome, remove };
}
