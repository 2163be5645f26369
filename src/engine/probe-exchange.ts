import { buildRequest, captureValues, compileStep, responseError, type CompiledStep } from './compiled-step.js';
import { describeError, transportErrorKind } from './error-kind.js';
import type { HttpResponse, Transport } from './http-transport.js';
import type { LoadPlan, PlannedStep } from './load-plan.js';

// How preflight sends one request and reads its answer, outside the load generator.

/** Waits, but no longer than until `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** A step compiled for a probe: its answer is always read, so a failure can quote it. */
export function probeStep(planned: PlannedStep, plan: LoadPlan): CompiledStep {
  return { ...compileStep(planned, plan).step, readBody: true };
}

export function send(transport: Transport, step: CompiledStep, vars: Map<string, string | number>): Promise<{ response?: HttpResponse; error?: Error }> {
  return new Promise((resolve) => {
    transport.send(buildRequest(step, vars), (error, response) => resolve(error !== undefined || response === undefined ? { error: error ?? new Error('no response') } : { response }));
  });
}

/** Sends a step and reads its answer: the problem in one sentence, or none (captures go into `vars`). */
export async function exchange(transport: Transport, step: CompiledStep, vars: Map<string, string | number>): Promise<{ status?: number; problem?: string; unreachable?: boolean }> {
  const { response, error } = await send(transport, step, vars);
  if (response === undefined) return { problem: `${step.planned.name} got no answer: ${describeError(error)}`, ...(transportErrorKind(error) === 'refused' ? { unreachable: true } : {}) };
  const wrong = responseError(step, response);
  if (wrong !== undefined) return { status: response.status, problem: `${step.planned.name} got ${wrong.why}${excerpt(response.body)}` };
  const captured = captureValues(step, response.body);
  if ('missing' in captured) return { status: response.status, problem: `${step.planned.name}: ${captured.missing}` };
  for (const [name, value] of captured) vars.set(name, value);
  return { status: response.status };
}

function excerpt(body: string | undefined): string {
  if (body === undefined || body.trim() === '') return '';
  const text = body.trim().replace(/\s+/g, ' ');
  return `: ${text.length > 160 ? `${text.slice(0, 160)}…` : text}`;
}
