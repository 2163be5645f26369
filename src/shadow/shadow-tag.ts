import { parseBaggage } from './baggage.js';

/** The header that marks a shadow request; its value is the run id. */
export const DEFAULT_SHADOW_HEADER = 'x-live-assure-shadow';
/** The W3C baggage member that marks a shadow request, for platforms that only propagate baggage. */
export const SHADOW_BAGGAGE_KEY = 'live-assure-shadow';

/** What a shadow request carries: the run that sent it and where the tag was found. */
export interface ShadowTag {
  runId: string;
  via: 'header' | 'baggage';
}

export type TagReading =
  | { kind: 'production' }
  | { kind: 'shadow'; tag: ShadowTag }
  /** The request claims to be shadow but the claim is unusable: it must be refused, never served as production. */
  | { kind: 'invalid'; reason: string };

// Run ids become parts of storage names and log lines, so they are kept to a safe alphabet.
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function isValidRunId(runId: string): boolean {
  return RUN_ID.test(runId);
}

type HeaderValue = string | string[] | undefined;

/**
 * Reads the shadow tag from request headers (lower-case names, as node:http gives them).
 * The header and the baggage member may both be present; they must then agree.
 */
export function readShadowTag(
  headers: Readonly<Record<string, HeaderValue>>,
  header: string = DEFAULT_SHADOW_HEADER,
): TagReading {
  const fromHeader = joined(headers[header.toLowerCase()]);
  const baggage = joined(headers['baggage']);
  const fromBaggage =
    baggage === undefined ? [] : parseBaggage(baggage).filter((member) => member.key === SHADOW_BAGGAGE_KEY);

  const claims = [
    ...(fromHeader === undefined ? [] : [{ runId: fromHeader.trim(), via: 'header' as const }]),
    ...fromBaggage.map((member) => ({ runId: member.value.trim(), via: 'baggage' as const })),
  ];
  const first = claims[0];
  if (first === undefined) return { kind: 'production' };
  for (const claim of claims) {
    const where = claim.via === 'header' ? `header ${header}` : `baggage member ${SHADOW_BAGGAGE_KEY}`;
    if (!isValidRunId(claim.runId)) {
      const shown = claim.runId.length > 40 ? `${claim.runId.slice(0, 40)}…` : claim.runId;
      return { kind: 'invalid', reason: `${where} holds ${JSON.stringify(shown)}, not a run id (letters, digits, . _ : -, at most 128)` };
    }
    if (claim.runId !== first.runId) {
      return { kind: 'invalid', reason: `${where} names run ${claim.runId} but the request is also tagged for run ${first.runId}` };
    }
  }
  return { kind: 'shadow', tag: first };
}

function joined(value: HeaderValue): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(',') : value;
}
