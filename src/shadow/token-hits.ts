import type { TokenHit } from './redis-token-search.js';

const EXCERPT_BYTES = 120;
const NAME_CHARS = 60;
// A token copied into every element of a big key must not grow the answer without bound.
const MAX_HITS_PER_TOKEN = 10;

interface Needle {
  token: string;
  bytes: Buffer;
  /** Only ASCII digits: matches a whole number, never digits inside a longer one. */
  numeric: boolean;
  hits: number;
}

/** Collects where tokens appear in the elements a search reads, at most a few places per token. */
export class HitCollector {
  readonly found: TokenHit[] = [];
  private readonly needles: Needle[];
  private readonly seen = new Set<string>();

  constructor(tokens: readonly string[]) {
    this.needles = tokens.map((token) => ({ token, bytes: Buffer.from(token), numeric: /^[0-9]+$/.test(token), hits: 0 }));
  }

  /** Records every token that `element` contains; `where` is only worked out for a hit. */
  check(element: Buffer, where: () => string): void {
    for (const needle of this.needles) {
      if (needle.hits >= MAX_HITS_PER_TOKEN) continue;
      const at = needle.numeric ? indexOfNumber(element, needle.bytes) : element.indexOf(needle.bytes);
      if (at !== -1) this.record(needle, where(), excerpt(element, at, needle.bytes.length));
    }
  }

  add(token: string, where: string, text: string): void {
    const needle = this.needles.find((candidate) => candidate.token === token);
    if (needle !== undefined && needle.hits < MAX_HITS_PER_TOKEN) this.record(needle, where, text);
  }

  private record(needle: Needle, where: string, text: string): void {
    // The exact checks and the scan that follows them find the same element.
    const identity = JSON.stringify([needle.token, where, text]);
    if (this.seen.has(identity)) return;
    this.seen.add(identity);
    needle.hits += 1;
    this.found.push({ token: needle.token, where, excerpt: text });
  }
}

/**
 * Where `digits` stands as a whole number in `element`, or -1. A match inside a run of digits
 * condemns the whole run (the number there is longer than the token), so the search goes on after
 * the run: each byte is looked at a bounded number of times, however many digits the element holds.
 * Ends of a string cut short by maxStringBytes count as ends: a possible leak is reported, not missed.
 */
function indexOfNumber(element: Buffer, digits: Buffer): number {
  let from = 0;
  for (;;) {
    const at = element.indexOf(digits, from);
    if (at === -1) return -1;
    let end = at + digits.length;
    if (!isDigit(element[at - 1]) && !isDigit(element[end])) return at;
    while (isDigit(element[end])) end += 1;
    from = end;
  }
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x39;
}

function excerpt(element: Buffer, at: number, length: number): string {
  if (element.length <= EXCERPT_BYTES) return element.toString('utf8');
  const width = Math.max(EXCERPT_BYTES, length);
  let start = Math.max(0, Math.min(at - Math.floor((width - length) / 2), element.length - width));
  let end = start + width;
  // Never cut a UTF-8 character in two: the half would decode as U+FFFD.
  for (let step = 0; step < 3 && start > 0 && isContinuationByte(element[start]); step++) start -= 1;
  for (let step = 0; step < 3 && end < element.length && isContinuationByte(element[end]); step++) end -= 1;
  return `${start > 0 ? '…' : ''}${element.toString('utf8', start, end)}${end < element.length ? '…' : ''}`;
}

function isContinuationByte(byte: number | undefined): boolean {
  return byte !== undefined && (byte & 0xc0) === 0x80;
}

/** A field or member name short enough to sit inside `where`. */
export function printable(name: Buffer): string {
  const text = name.toString('utf8');
  return text.length <= NAME_CHARS ? text : `${text.slice(0, NAME_CHARS)}…`;
}
