import type { ActionContext } from './action-context.js';
import { finishOutcome, type ActionRun } from './action-outcome.js';
import { exchangeHttp, type HttpExchange } from './http-exchange.js';
import { unmetExpectations } from './http-expectation.js';
import type { HttpCall } from './sop-action.js';

/** One http action: sent once, judged by its `expect` (default: a status below 400). */
export async function runHttp(call: HttpCall, ctx: ActionContext): Promise<ActionRun> {
  const startedAt = performance.now();
  const exchange = await exchangeHttp(call, ctx.target, ctx.signal, call.timeout);
  const judged = judgeExchange(exchange, call);
  return {
    outcome: finishOutcome(ctx.redact, startedAt, judged),
    touched: exchange.answered || exchange.sent,
  };
}

/** The verdict on one exchange, in summary words; shared by single calls and polls. */
export function judgeExchange(exchange: HttpExchange, call: HttpCall): { ok: boolean; summary: string; output?: { text: string; keep: 'head' } } {
  if (!exchange.answered) return { ok: false, summary: `${exchange.request}: ${exchange.reason}` };
  const { response } = exchange;
  const unmet = unmetExpectations(call.expect, response);
  const output = { text: response.body, keep: 'head' as const };
  if (unmet.length > 0) return { ok: false, summary: `${unmet.join('; ')} (${exchange.request})`, output };
  return { ok: true, summary: `${exchange.request} → ${response.status}`, output };
}
