import type { Redis } from 'ioredis';
import { HitCollector, printable } from './token-hits.js';

/** One place where a token was found. */
export interface TokenHit {
  token: string;
  /**
   * `key name`, `string value`, `list element 3` (negative indexes count from the tail), `hash field`,
   * `hash value of field f`, `set member`, `zset member`,
   * `stream entry 1700000000000-0 field` or `stream entry 1700000000000-0 value of field msg`.
   */
  where: string;
  /** Up to about 120 characters of the element around the token, decoded as UTF-8. */
  excerpt: string;
}

export interface TokenSearch {
  key: string;
  /** Redis TYPE: `none` when the key does not exist. */
  type: string;
  /** Each place a token was found; at most 10 places per token. */
  found: TokenHit[];
  /** Elements looked at: list elements, hash fields, set or zset members, stream entries; a string value is one. */
  examined: number;
  /** Whether the whole key was examined: false when a bound cut the search short or the type cannot be searched. */
  complete: boolean;
  /** What was not examined, when `complete` is false. */
  skipped?: string;
}

export interface TokenSearchLimits {
  /** List elements, hash fields, set or zset members and stream entries read at most per key (default 100 000). */
  maxElements?: number;
  /** Bytes of a string value read at most (default 16 MiB). */
  maxStringBytes?: number;
}

export interface TokenSearchRequest {
  key: string;
  tokens: readonly string[];
}

const DEFAULT_MAX_ELEMENTS = 100_000;
const DEFAULT_MAX_STRING_BYTES = 16 * 1024 * 1024;
const ELEMENT_CHUNK = 1000;
const STRING_CHUNK = 1024 * 1024;
const MAX_STREAM_SEQUENCE = 2n ** 64n - 1n;

/**
 * Looks for each token (a case-sensitive substring, compared as UTF-8 bytes) in one key, whatever
 * its type, and says where it was found and how much of the key was examined. A token made only of
 * ASCII digits (a shadow id) matches only a whole number: not where an ASCII digit comes right
 * before or after it, so `9000012345` is not found in `1769000012345`. Give it a client
 * that is not shadow-routed, or call it outside shadow work: it must read the key it is given.
 */
export async function searchKeyForTokens(redis: Redis, key: string, tokens: readonly string[], limits: TokenSearchLimits = {}): Promise<TokenSearch> {
  const unique = [...new Set(tokens)];
  if (unique.includes('')) throw new RangeError('an empty token would match every key');
  const maxElements = positiveInteger('maxElements', limits.maxElements ?? DEFAULT_MAX_ELEMENTS);
  const maxStringBytes = positiveInteger('maxStringBytes', limits.maxStringBytes ?? DEFAULT_MAX_STRING_BYTES);
  if (unique.length === 0) return { key, type: await redis.type(key), found: [], examined: 0, complete: true };

  const hits = new HitCollector(unique);
  const probe = await probeKey(redis, key, unique);
  if (probe.type === 'none') return { key, type: 'none', found: [], examined: 0, complete: true };
  hits.check(Buffer.from(key), () => 'key name');
  const searcher = SEARCHERS[probe.type];
  if (searcher === undefined) {
    return { key, type: probe.type, found: hits.found, examined: 0, complete: false, skipped: `the value: keys of type ${probe.type} are not searched` };
  }
  try {
    return { key, type: probe.type, found: hits.found, ...(await searcher({ redis, key, tokens: unique, hits, probe, maxElements, maxStringBytes })) };
  } catch (error) {
    if (!(error instanceof Error && error.message.startsWith('WRONGTYPE'))) throw error;
    return { key, type: probe.type, found: hits.found, examined: 0, complete: false, skipped: 'the rest of the value: the key changed type during the search' };
  }
}

/** Runs several searches, at most `concurrency` (default 8) at a time; results in the order asked. */
export async function searchKeysForTokens(
  redis: Redis,
  requests: readonly TokenSearchRequest[],
  options: TokenSearchLimits & { concurrency?: number } = {},
): Promise<TokenSearch[]> {
  const concurrency = positiveInteger('concurrency', options.concurrency ?? 8);
  const results = new Array<TokenSearch>(requests.length);
  let next = 0;
  let failed = false;
  const work = async (): Promise<void> => {
    while (!failed && next < requests.length) {
      const index = next++;
      const request = requests[index];
      if (request === undefined) continue;
      try {
        results[index] = await searchKeyForTokens(redis, request.key, request.tokens, options);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, requests.length) }, work));
  return results;
}

interface Probe {
  type: string;
  /** STRLEN, LLEN, HLEN, SCARD, ZCARD or XLEN, as the type asks; 0 for other types. */
  size: number;
  reply(index: number): unknown;
}

interface Coverage {
  examined: number;
  complete: boolean;
  skipped?: string;
}

interface Search {
  redis: Redis;
  key: string;
  tokens: readonly string[];
  hits: HitCollector;
  probe: Probe;
  maxElements: number;
  maxStringBytes: number;
}

const SIZE_AT: Readonly<Record<string, number>> = { string: 1, list: 2, hash: 3, set: 4, zset: 5, stream: 6 };
const HMGET_AT = 7;
const sismemberAt = (tokenIndex: number): number => 8 + 2 * tokenIndex;
const zscoreAt = (tokenIndex: number): number => 9 + 2 * tokenIndex;

// TYPE, every type's size and the O(1) exact checks share one round trip: the probes meant for
// other types fail with WRONGTYPE and are never read.
async function probeKey(redis: Redis, key: string, tokens: readonly string[]): Promise<Probe> {
  const pipeline = redis.pipeline().type(key).strlen(key).llen(key).hlen(key).scard(key).zcard(key).xlen(key).hmgetBuffer(key, ...tokens);
  for (const token of tokens) pipeline.sismember(key, token).zscore(key, token);
  const replies = await pipeline.exec();
  const reply = (index: number): unknown => {
    const entry = replies?.[index];
    if (entry === undefined) throw new Error(`Redis answered no reply ${index} of the probe of ${key}`);
    if (entry[0] !== null) throw entry[0];
    return entry[1];
  };
  const type = String(reply(0));
  const sizeAt = SIZE_AT[type];
  const size = sizeAt === undefined ? 0 : reply(sizeAt);
  return { type, size: typeof size === 'number' ? size : Number(size), reply };
}

const SEARCHERS: Readonly<Record<string, (search: Search) => Promise<Coverage>>> = {
  string: searchString,
  list: searchList,
  hash: searchHash,
  set: searchSet,
  zset: searchZset,
  stream: searchStream,
};

async function searchString(search: Search): Promise<Coverage> {
  const { redis, key, probe } = search;
  const head: Buffer[] = [];
  const tail: Buffer[] = [];
  const reading = await readBounded(
    (start, stop) => redis.getrangeBuffer(key, start, stop),
    { size: probe.size, max: search.maxStringBytes, chunk: STRING_CHUNK, unit: 'bytes', currentSize: () => redis.strlen(key) },
    (part, first) => {
      if (first >= 0) head.push(part);
      else tail.unshift(part);
    },
  );
  // Chunks are joined before searching so a token across a chunk boundary is found; the two ends are not.
  search.hits.check(Buffer.concat(head), () => 'string value');
  search.hits.check(Buffer.concat(tail), () => 'string value');
  return { ...reading, examined: 1 };
}

async function searchList(search: Search): Promise<Coverage> {
  const { redis, key } = search;
  return readBounded(
    (start, stop) => redis.lrangeBuffer(key, start, stop),
    { size: search.probe.size, max: search.maxElements, chunk: ELEMENT_CHUNK, unit: 'elements', currentSize: () => redis.llen(key) },
    (part, first) => part.forEach((element, offset) => search.hits.check(element, () => `list element ${first + offset}`)),
  );
}

async function searchHash(search: Search): Promise<Coverage> {
  const values = search.probe.reply(HMGET_AT);
  search.tokens.forEach((token, index) => {
    const value: unknown = Array.isArray(values) ? values[index] : undefined;
    if (!Buffer.isBuffer(value)) return;
    search.hits.add(token, 'hash field', token);
    search.hits.check(value, () => `hash value of field ${token}`);
  });
  return scanKey(search, { command: 'HSCAN', unit: 'fields', width: 2 }, (cursor) => search.redis.hscanBuffer(search.key, cursor, 'COUNT', ELEMENT_CHUNK), (field, value) => {
    search.hits.check(field, () => 'hash field');
    if (value !== undefined) search.hits.check(value, () => `hash value of field ${printable(field)}`);
  });
}

async function searchSet(search: Search): Promise<Coverage> {
  search.tokens.forEach((token, index) => {
    if (search.probe.reply(sismemberAt(index)) === 1) search.hits.add(token, 'set member', token);
  });
  return scanKey(search, { command: 'SSCAN', unit: 'members', width: 1 }, (cursor) => search.redis.sscanBuffer(search.key, cursor, 'COUNT', ELEMENT_CHUNK), (member) => {
    search.hits.check(member, () => 'set member');
  });
}

async function searchZset(search: Search): Promise<Coverage> {
  search.tokens.forEach((token, index) => {
    const score = search.probe.reply(zscoreAt(index));
    if (score !== null && score !== undefined) search.hits.add(token, 'zset member', token);
  });
  // Scores are not searched: they are mostly timestamps, whose digits hold many a shadow user id.
  return scanKey(search, { command: 'ZSCAN', unit: 'members', width: 2 }, (cursor) => search.redis.zscanBuffer(search.key, cursor, 'COUNT', ELEMENT_CHUNK), (member) => {
    search.hits.check(member, () => 'zset member');
  });
}

/** Walks a SCAN-family cursor over set members, or hash fields and zset members with their value or score. */
async function scanKey(
  search: Search,
  { command, unit, width }: { command: string; unit: string; width: 1 | 2 },
  scan: (cursor: string) => Promise<[Buffer, Buffer[]]>,
  visit: (first: Buffer, second: Buffer | undefined) => void,
): Promise<Coverage> {
  let cursor = '0';
  let examined = 0;
  do {
    const [next, items] = await scan(cursor);
    for (let index = 0; index < items.length; index += width) {
      const first = items[index];
      if (first !== undefined) visit(first, width === 2 ? items[index + 1] : undefined);
    }
    examined += Math.ceil(items.length / width);
    cursor = next.toString();
  } while (cursor !== '0' && examined < search.maxElements);
  // SCAN may return an element twice, so `examined` can exceed the size a little.
  if (cursor === '0') return { examined, complete: true };
  return { examined, complete: false, skipped: `the rest of the ${search.probe.size} ${unit}: ${command} stopped after ${examined} at maxElements` };
}

async function searchStream(search: Search): Promise<Coverage> {
  const size = search.probe.size;
  const max = search.maxElements;
  if (size <= max) {
    const whole = await readEntries(search, 'head', max, '+');
    if (whole.exhausted || (await search.redis.xlen(search.key)) <= whole.read) return { examined: whole.read, complete: true };
    return { examined: whole.read, complete: false, skipped: `entries after ${whole.last ?? '-'}: the stream grew past maxElements while being read` };
  }
  const headCount = Math.floor(max / 2);
  const head = await readEntries(search, 'head', headCount, '+');
  if (head.exhausted) return { examined: head.read, complete: true };
  const tail = await readEntries(search, 'tail', max - headCount, head.last === undefined ? '-' : nextStreamId(head.last));
  const examined = head.read + tail.read;
  if (tail.exhausted) return { examined, complete: true };
  return { examined, complete: false, skipped: `entries after ${head.last ?? '-'} and before ${tail.last ?? '+'} (${size} entries in all)` };
}

/** Reads entries from one end of a stream, in chunks, up to `bound` (an id, inclusive) at the other. */
async function readEntries(search: Search, from: 'head' | 'tail', total: number, bound: string): Promise<{ read: number; exhausted: boolean; last: string | undefined }> {
  const { redis, key, hits } = search;
  let read = 0;
  let last: string | undefined;
  while (read < total) {
    const want = Math.min(ELEMENT_CHUNK, total - read);
    const entries =
      from === 'head'
        ? await redis.xrangeBuffer(key, last === undefined ? '-' : nextStreamId(last), bound, 'COUNT', want)
        : await redis.xrevrangeBuffer(key, last === undefined ? '+' : previousStreamId(last), bound, 'COUNT', want);
    for (const [rawId, fields] of entries) {
      const id = rawId.toString();
      last = id;
      for (let index = 0; index < fields.length; index += 2) {
        const field = fields[index];
        const value = fields[index + 1];
        if (field === undefined) continue;
        hits.check(field, () => `stream entry ${id} field`);
        if (value !== undefined) hits.check(value, () => `stream entry ${id} value of field ${printable(field)}`);
      }
    }
    read += entries.length;
    if (entries.length < want) return { read, exhausted: true, last };
  }
  return { read, exhausted: false, last };
}

// Exclusive ranges (`(id`) need Redis 6.2; the neighbouring id works on every version with streams.
function nextStreamId(id: string): string {
  const [ms, sequence] = parseStreamId(id);
  return sequence < MAX_STREAM_SEQUENCE ? `${ms}-${sequence + 1n}` : `${ms + 1n}-0`;
}

function previousStreamId(id: string): string {
  const [ms, sequence] = parseStreamId(id);
  return sequence > 0n ? `${ms}-${sequence - 1n}` : `${ms - 1n}-${MAX_STREAM_SEQUENCE}`;
}

function parseStreamId(id: string): [bigint, bigint] {
  const [ms = '0', sequence = '0'] = id.split('-');
  return [BigInt(ms), BigInt(sequence)];
}

interface Bounds {
  size: number;
  max: number;
  chunk: number;
  unit: string;
  currentSize: () => Promise<number>;
}

/**
 * Reads a list or string whole when it fits `max`, otherwise its first and last `max / 2`: a fresh
 * write sits at one end. Indexes passed to `visit` are negative for the tail, as Redis counts them.
 */
async function readBounded<T extends { length: number }>(
  fetch: (start: number, stop: number) => Promise<T>,
  bounds: Bounds,
  visit: (part: T, first: number) => void,
): Promise<Coverage> {
  const { size, max, chunk, unit } = bounds;
  if (size <= max) {
    // Front to back until the end as it is then: growth at either end never moves an unread
    // element behind the cursor (only removals at the head can).
    const whole = await readChunks(fetch, 'head', max, chunk, visit);
    if (whole.exhausted || (await bounds.currentSize()) <= whole.read) return { examined: whole.read, complete: true };
    return { examined: whole.read, complete: false, skipped: `${unit} from ${whole.read} on: the value grew past the bound of ${max} while being read` };
  }
  const headCount = Math.floor(max / 2);
  const tailCount = max - headCount;
  const head = await readChunks(fetch, 'head', headCount, chunk, visit);
  if (head.exhausted) return { examined: head.read, complete: true };
  const tail = await readChunks(fetch, 'tail', tailCount, chunk, visit);
  return {
    examined: head.read + tail.read,
    complete: false,
    skipped: `${unit} ${headCount} to ${size - tailCount - 1} of ${size}: only the first ${headCount} and the last ${tailCount} were read`,
  };
}

async function readChunks<T extends { length: number }>(
  fetch: (start: number, stop: number) => Promise<T>,
  from: 'head' | 'tail',
  total: number,
  chunk: number,
  visit: (part: T, first: number) => void,
): Promise<{ read: number; exhausted: boolean }> {
  let read = 0;
  while (read < total) {
    const want = Math.min(chunk, total - read);
    const part = from === 'head' ? await fetch(read, read + want - 1) : await fetch(-(read + want), -(read + 1));
    visit(part, from === 'head' ? read : -(read + part.length));
    read += part.length;
    if (part.length < want) return { read, exhausted: true };
  }
  return { read, exhausted: false };
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, not ${value}`);
  return value;
}
