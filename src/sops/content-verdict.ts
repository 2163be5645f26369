import type { KeptSample } from './load-recorder.js';
import type { HypothesisVerdict } from './phase-verdict.js';
import type { Sop } from './sop-schema.js';

export type ContentCheck = Exclude<Sop['verification']['baseline']['hypotheses'][number], string>;

/** How a content check reads in output and JUnit: `≥95% of room-info: x-degraded: room-info-local-cache`. */
export function describeContentCheck(check: ContentCheck): string {
  const wants = [
    ...Object.entries(check.header ?? {}).map(([name, value]) => `${name.toLowerCase()}: ${value}`),
    ...(check.contains === undefined ? [] : [`body contains ${JSON.stringify(check.contains)}`]),
  ];
  return `≥${Math.round(check.share * 10_000) / 100}% of ${check.of}: ${wants.join(', ')}`;
}

/** A header carries the value when it is the value, or one item of a comma-separated list. */
function carries(sample: KeptSample, name: string, value: string): boolean {
  const got = sample.headers[name.toLowerCase()];
  if (got === undefined) return false;
  return got.trim() === value || got.split(',').some((item) => item.trim() === value);
}

function shows(sample: KeptSample, check: ContentCheck): boolean {
  if (sample.status === null) return false;
  for (const [name, value] of Object.entries(check.header ?? {})) if (!carries(sample, name, value)) return false;
  return check.contains === undefined || sample.found.includes(check.contains);
}

/**
 * The share of a window's sampled responses that show what the check wants. A request that got
 * no response shows nothing; no samples at all fails (nothing seen proves nothing).
 */
export function judgeContent(check: ContentCheck, samples: readonly KeptSample[], span: string): HypothesisVerdict {
  const hypothesis = describeContentCheck(check);
  if (samples.length === 0) return { hypothesis, pass: false, measured: null, bound: check.share, detail: `no ${check.of} responses were sampled (${span})` };
  const showing = samples.filter((sample) => shows(sample, check)).length;
  const share = showing / samples.length;
  const pass = share >= check.share;
  const percent = (value: number): string => `${Math.round(value * 10_000) / 100}%`;
  return {
    hypothesis,
    pass,
    measured: share,
    bound: check.share,
    detail: `${showing} of ${samples.length} sampled ${check.of} responses (${percent(share)}) ${pass ? 'meet' : 'fall short of'} ≥${percent(check.share)} (${span})`,
  };
}

/** Every content check of the SOP's phases: what the load must sample, and what of it to keep. */
export function contentChecks(sop: Sop): ContentCheck[] {
  const phases = [sop.verification.baseline, sop.verification.degraded, sop.verification.recovered];
  return phases.flatMap((phase) => phase.hypotheses.filter((hypothesis): hypothesis is ContentCheck => typeof hypothesis !== 'string'));
}

/** Per step, the texts content checks look for in response bodies: all a rehearsal keeps of a body. */
export function contentNeedles(sop: Sop): Record<string, string[]> {
  const needles: Record<string, string[]> = {};
  for (const check of contentChecks(sop)) if (check.contains !== undefined) (needles[check.of] ??= []).push(check.contains);
  return needles;
}
