import { setTimeout as sleep } from 'node:timers/promises';
import type { ActionContext } from './action-context.js';
import { errorText, finishOutcome, type ActionRun } from './action-outcome.js';
import { formatElapsed } from './elapsed-text.js';
import type { ManualCall } from './sop-action.js';

type Answer = 'continue' | 'abort';

/** A step a person does: asked when someone is there to ask, answered by its default otherwise. */
export async function runManual(call: ManualCall, ctx: ActionContext): Promise<ActionRun> {
  const startedAt = performance.now();
  const output = { text: call.prompt, keep: 'head' as const };
  const answered = (answer: Answer, who: string): ActionRun => ({
    outcome: finishOutcome(ctx.redact, startedAt, { ok: true, summary: `${who}: ${answer}`, output, abort: answer === 'abort' }),
    // An abort means the person did not do it; otherwise rollback must undo it.
    touched: answer === 'continue',
  });
  if (ctx.signal.aborted) return { outcome: finishOutcome(ctx.redact, startedAt, { ok: false, summary: 'interrupted before it was asked', output }), touched: false };
  if (ctx.ask === undefined) return answered(call.default, 'default in CI');

  const stopWaiting = new AbortController();
  const stop = AbortSignal.any([ctx.signal, stopWaiting.signal]);
  let answer: Answer | undefined;
  try {
    // The bound is ours too: a prompt that forgets its timeout must not hold the rehearsal.
    answer = await Promise.race([ctx.ask(call.prompt, call.timeout, ctx.signal), sleep(call.timeout, undefined, { signal: stop }).catch(() => undefined)]);
  } catch (error) {
    return { outcome: finishOutcome(ctx.redact, startedAt, { ok: false, summary: `could not ask: ${errorText(error)}`, output }), touched: false };
  } finally {
    stopWaiting.abort();
  }
  // The person may have been halfway through it: rollback undoes it to be safe.
  if (ctx.signal.aborted) return { outcome: finishOutcome(ctx.redact, startedAt, { ok: false, summary: 'interrupted while waiting for an answer', output }), touched: true };
  if (answer === undefined) return answered(call.default, `no answer within ${formatElapsed(call.timeout)}, default`);
  return answered(answer, 'answered');
}
