import type { Sop } from '../sop-schema.js';
import { errorText, finishOutcome } from './action-outcome.js';
import type { FaultContext, FaultInjection, ToxicBackend } from './fault-context.js';
import { statusOf } from './toxic-backends.js';

type ToxicTrigger = NonNullable<Sop['trigger']['toxic']>;

/** Adds the SOP's toxic, named `live-assure-<sop id>`; its removal is attempted even when adding failed (a timed-out add may have landed). */
export async function injectToxic(sopId: string, trigger: ToxicTrigger, ctx: FaultContext): Promise<FaultInjection> {
  const startedAt = performance.now();
  const name = `live-assure-${sopId}`;
  const label = `toxic ${name} (${trigger.type} ${trigger.stream}${attributesText(trigger.attributes)}, toxicity ${trigger.toxicity}) on proxy ${trigger.proxy}`;
  const backend = ctx.toxics;
  if (backend === undefined) {
    const outcome = finishOutcome(ctx.redact, startedAt, { ok: false, summary: `${label}: no fault proxy to add it to (the built-in proxies, or --toxiproxy <url>)` });
    return { outcome, remove: async () => finishOutcome(ctx.redact, performance.now(), { ok: true, summary: `${name}: nothing to remove (it was never added)` }) };
  }
  const remove = (): ReturnType<FaultInjection['remove']> => removeToxic(backend, trigger.proxy, name, ctx);
  const toxic = { name, type: trigger.type, stream: trigger.stream, toxicity: trigger.toxicity, attributes: trigger.attributes };
  let replaced = false;
  try {
    try {
      await backend.add(trigger.proxy, toxic);
    } catch (error) {
      // Named after the SOP, so it is ours: left behind by a rehearsal that was killed before its rollback.
      if (statusOf(error) !== 409) throw error;
      await backend.remove(trigger.proxy, name);
      await backend.add(trigger.proxy, toxic);
      replaced = true;
    }
  } catch (error) {
    return { outcome: finishOutcome(ctx.redact, startedAt, { ok: false, summary: `${label}: ${errorText(error)}` }), remove };
  }
  const injectedAt = performance.now();
  const outcome = finishOutcome(ctx.redact, startedAt, { ok: true, summary: `added ${label}${replaced ? ', replacing a leftover of an earlier rehearsal' : ''}` });
  return { outcome, injectedAt, remove };
}

async function removeToxic(backend: ToxicBackend, proxy: string, name: string, ctx: FaultContext): ReturnType<FaultInjection['remove']> {
  const startedAt = performance.now();
  try {
    await backend.remove(proxy, name);
    return finishOutcome(ctx.redact, startedAt, { ok: true, summary: `removed toxic ${name} from proxy ${proxy}` });
  } catch (error) {
    // What rollback wants is a proxy without the toxic: already gone is as good as removed.
    if (statusOf(error) === 404) return finishOutcome(ctx.redact, startedAt, { ok: true, summary: `toxic ${name} is not on proxy ${proxy} (already gone)` });
    return finishOutcome(ctx.redact, startedAt, { ok: false, summary: `could not remove toxic ${name} from proxy ${proxy}: ${errorText(error)}` });
  }
}

function attributesText(attributes: Record<string, number>): string {
  const text = Object.entries(attributes)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
  return text === '' ? '' : ` ${text}`;
}
