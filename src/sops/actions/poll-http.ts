import { setTimeout as sleep } from 'node:timers/promises';
import type { ActionContext, ActionOutcome } from './action-context.js';
import { finishOutcome } from './action-outcome.js';
import { formatElapsed } from './elapsed-text.js';
import { exchangeHttp } from './http-exchange.js';
import { judgeExchange } from './run-http.js';
import type { HttpCall } from './sop-action.js';

/** Polls `call` every `everyMs` until its `expect` holds or `withinMs` passes (or the signal aborts). metAt = performance.now() when it first held. */
export async function pollHttp(call: HttpCall, everyMs: number, withinMs: number, ctx: ActionContext): Promise<{ outcome: ActionOutcome; metAt?: number }> {
  const startedAt = performance.now();
  const deadline = startedAt + withinMs;
  let attempts = 0;
  for (;;) {
    const attemptAt = performance.now();
    attempts += 1;
    // A hung attempt must not carry the poll past its bound.
    const exchange = await exchangeHttp(call, ctx.target, ctx.signal, Math.min(call.timeout, Math.max(1, deadline - attemptAt)));
    const judged = judgeExchange(exchange, call);
    const tries = `${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}`;
    if (judged.ok) {
      const metAt = performance.now();
      return { outcome: finishOutcome(ctx.redact, startedAt, { ...judged, summary: `${judged.summary}: held after ${formatElapsed(metAt - startedAt)} (${tries})` }), metAt };
    }
    const missed = (summary: string): { outcome: ActionOutcome } => ({ outcome: finishOutcome(ctx.redact, startedAt, { ok: false, summary: `${summary} (${tries}); last: ${judged.summary}`, output: judged.output }) });
    if (ctx.signal.aborted) return missed('interrupted while waiting');
    // Attempts start every `everyMs` (a slow answer does not stretch the rhythm).
    const next = attemptAt + everyMs;
    if (next >= deadline) return missed(`not met within ${formatElapsed(withinMs)}`);
    const waited = await sleep(Math.max(0, Math.ceil(next - performance.now())), true, { signal: ctx.signal }).catch(() => false);
    if (!waited) return missed('interrupted while waiting');
  }
}
