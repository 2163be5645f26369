/**
 * W3C Baggage (`baggage` header) reading and writing, just as much as the shadow tag needs:
 * list-members `key=value;properties` separated by commas, values percent-encoded.
 */

export interface BaggageMember {
  key: string;
  value: string;
  /** Everything after the first `;`, kept verbatim so a rewrite does not drop other systems' metadata. */
  properties: string;
}

/**
 * Parses one or more joined `baggage` header values. A member without `=` is malformed; it is kept
 * with an empty value rather than dropped, so a bare shadow key cannot pass for "no tag".
 */
export function parseBaggage(header: string): BaggageMember[] {
  const members: BaggageMember[] = [];
  for (const raw of header.split(',')) {
    const [pair = '', ...properties] = raw.split(';');
    const equals = pair.indexOf('=');
    const key = (equals < 0 ? pair : pair.slice(0, equals)).trim();
    const value = equals < 0 ? '' : decodeValue(pair.slice(equals + 1).trim());
    if (key === '') continue;
    members.push({ key, value, properties: properties.join(';').trim() });
  }
  return members;
}

/** Returns `header` with `key` set to `value` (replacing any member of that key), or a new header. */
export function setBaggageMember(header: string | undefined, key: string, value: string): string {
  const kept = (header ?? '')
    .split(',')
    .map((member) => member.trim())
    .filter((member) => member !== '' && member.split(';')[0]?.split('=')[0]?.trim() !== key);
  return [`${key}=${encodeURIComponent(value)}`, ...kept].join(',');
}

// A value that does not decode is kept raw: a broken shadow member must fail the run-id check
// (and be refused), never vanish and let the request pass as production.
function decodeValue(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
