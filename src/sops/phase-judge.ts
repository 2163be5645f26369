import type { Scopes } from '../engine/threshold-evaluation.js';
import { describeContentCheck, judgeContent } from './content-verdict.js';
import { parseHypothesis } from './hypothesis.js';
import type { LoadRecorder } from './load-recorder.js';
import { judgeHypotheses, windowSpan, type HypothesisVerdict, type LoadWindow } from './phase-verdict.js';
import type { Sop } from './sop-schema.js';

export type Phase = Sop['verification']['baseline'];

/** A phase's hypotheses, text and content alike, judged over load seconds [from, from + seconds), in the order written. */
export function judgePhase(phase: Phase, recorder: LoadRecorder, from: number, seconds: number, scopes: Scopes, baseline?: LoadWindow): HypothesisVerdict[] {
  const window = recorder.window(from, seconds);
  return phase.hypotheses.map((hypothesis) => {
    if (typeof hypothesis !== 'string') return judgeContent(hypothesis, recorder.samples(hypothesis.of, from, seconds), windowSpan(window));
    const parsed = parseHypothesis(hypothesis);
    // The SOP rules reject hypotheses that do not parse before anything runs.
    if ('error' in parsed) throw new RangeError(parsed.error);
    const [verdict] = judgeHypotheses([parsed], window, scopes, baseline);
    if (verdict === undefined) throw new RangeError(`no verdict for ${hypothesis}`);
    return verdict;
  });
}

/** The hypotheses' names as checks call them. */
export function hypothesisNames(phase: Phase): string[] {
  return phase.hypotheses.map((hypothesis) => (typeof hypothesis === 'string' ? hypothesis : describeContentCheck(hypothesis)));
}

/**
 * The first load second from `from` up to `last` in which the whole phase held over that one
 * second: when a phase's state was first reached (mitigated, recovered). Undefined if it never was.
 */
export function firstSecondHolding(phase: Phase, recorder: LoadRecorder, from: number, last: number, scopes: Scopes, baseline?: LoadWindow): number | undefined {
  for (let second = from; second <= last; second += 1) {
    if (judgePhase(phase, recorder, second, 1, scopes, baseline).every((verdict) => verdict.pass)) return second;
  }
  return undefined;
}
