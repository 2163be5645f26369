import type { Sop } from '../sop-schema.js';
import type { ActionContext } from './action-context.js';
import { finishOutcome } from './action-outcome.js';
import type { FaultContext, FaultInjection } from './fault-context.js';
import { neverAborted } from './never-aborted.js';
import { createRedactor } from './redaction.js';
import { runHttp } from './run-http.js';
import type { HttpCall } from './sop-action.js';

type DemoFault = NonNullable<Sop['trigger']['demo_fault']>;

const ADMIN_TIMEOUT_MS = 10_000;

/** The demo platform's fault hook: PUT /admin/faults/<target>, removed with DELETE. */
export async function injectDemoFault(fault: DemoFault, ctx: FaultContext): Promise<FaultInjection> {
  const token = ctx.adminToken;
  if (token === undefined || token === '') {
    const startedAt = performance.now();
    return {
      outcome: finishOutcome(ctx.redact, startedAt, { ok: false, summary: `demo fault on ${fault.target}: no admin token for the platform's /admin API` }),
      remove: async () => finishOutcome(ctx.redact, performance.now(), { ok: true, summary: `demo fault on ${fault.target}: nothing to remove (it was never sent)` }),
    };
  }
  // The token is no ${env:…} of the SOP, yet must never be printed either.
  const masked = createRedactor([token]);
  const adminCtx: ActionContext = { ...ctx, redact: (text) => ctx.redact(masked(text)) };
  const path = `/admin/faults/${encodeURIComponent(fault.target)}`;
  const call = (method: 'PUT' | 'DELETE', json?: unknown): HttpCall => ({
    [method]: path,
    headers: { authorization: `Bearer ${token}` },
    ...(json === undefined ? {} : { json }),
    expect: { status: 200 },
    timeout: ADMIN_TIMEOUT_MS,
  });
  const put = await runHttp(call('PUT', { latency_ms: fault.latency_ms, error_rate: fault.error_rate, down: fault.down }), adminCtx);
  const remove: FaultInjection['remove'] = put.touched
    ? async (signal) => (await runHttp(call('DELETE'), { ...adminCtx, signal: signal ?? neverAborted() })).outcome
    : async () => finishOutcome(ctx.redact, performance.now(), { ok: true, summary: `demo fault on ${fault.target}: nothing to remove (it was never sent)` });
  return put.outcome.ok ? { outcome: put.outcome, injectedAt: put.outcome.endedAt, remove } : { outcome: put.outcome, remove };
}
