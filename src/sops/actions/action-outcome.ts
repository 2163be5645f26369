import type { ActionContext, ActionOutcome } from './action-context.js';
import { clipHead, clipTail } from './output-clip.js';

/** What one action did, and whether it may have changed something: rollback must then undo it. */
export interface ActionRun {
  outcome: ActionOutcome;
  touched: boolean;
}

export interface OutcomeText {
  ok: boolean;
  summary: string;
  /** Raw output; `keep` says whether its head (a response body) or its tail (a command's last words) survives the 4 KiB cut. */
  output?: { text: string; keep: 'head' | 'tail' };
  abort?: boolean;
}

/** Stamps the end time and redacts: every outcome leaves an action through here, so no secret is printed or stored. */
export function finishOutcome(redact: ActionContext['redact'], startedAt: number, text: OutcomeText): ActionOutcome {
  const outcome: ActionOutcome = {
    ok: text.ok,
    summary: oneLine(redact(text.summary)),
    startedAt,
    endedAt: performance.now(),
  };
  // Redacted before the cut, so a secret that straddles the edge cannot survive in part.
  if (text.output !== undefined && text.output.text !== '') {
    const redacted = redact(text.output.text);
    outcome.output = text.output.keep === 'head' ? clipHead(redacted) : clipTail(redacted);
  }
  if (text.abort === true) outcome.abort = true;
  return outcome;
}

/** The summary is one line in the journal, the JUnit message attribute and the terminal. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** A short, one-line quote of what came back, for "expected …, got …". */
export function quote(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > max ? `${flat.slice(0, max)}…` : flat);
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
