import { Redis } from 'ioredis';
import { redactRedisUrl } from './redis-url.js';

/** Redis at the URL given could not be reached or used at start; the message has no password in it. */
export class ShadowRedisUnreachable extends Error {}

/**
 * Redis answered, but has no database of the index the URL names: a mistyped URL, not an outage.
 * A ShadowRedisUnreachable still, so a caller that does not tell the two apart fails as before.
 */
export class RedisDatabaseMissing extends ShadowRedisUnreachable {
  /** The URL, password redacted. */
  readonly url: string;
  readonly database: number;
  /** How many databases this Redis has, when CONFIG GET databases was allowed. */
  readonly databases: number | undefined;

  constructor(url: string, database: number, databases: number | undefined) {
    const has = databases === undefined ? '' : ` (it has ${databases})`;
    super(`${url} names database ${database}, which this Redis does not have${has}`);
    this.name = 'RedisDatabaseMissing';
    this.url = url;
    this.database = database;
    this.databases = databases;
  }
}

const START_TIMEOUT_MS = 3000;
// Long enough for a big UNLINK behind a queue of others; short enough that a hung Redis fails the work.
const COMMAND_TIMEOUT_MS = 15_000;

/**
 * A connection for the isolation checks and shadow cleanup: it fails fast when Redis is not there
 * and never reconnects, so a connection lost midway fails the check or cleanup (which says what is
 * left) instead of hanging.
 */
export async function connectFailFastRedis(url: string): Promise<Redis> {
  let lastError: Error | undefined;
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: START_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // Connection trouble surfaces through the commands that fail; the event only needs a listener.
  redis.on('error', (error: Error) => (lastError = error));
  try {
    await withinTimeout(async () => {
      await redis.connect();
      // ioredis reports a SELECT it could not make only as an event and goes on in database 0,
      // where deleting would hit the wrong keys.
      const database = new URL(url).pathname.slice(1);
      if (/^\d+$/.test(database)) await selectDatabase(redis, Number(database), url);
      await redis.ping();
    }, START_TIMEOUT_MS);
  } catch (error) {
    redis.disconnect();
    if (error instanceof RedisDatabaseMissing) throw error;
    const thrown = error instanceof Error ? error : new Error(String(error));
    const reason = thrown.message.startsWith('no answer within') || lastError === undefined ? thrown : lastError;
    throw new ShadowRedisUnreachable(`cannot reach Redis at ${redactRedisUrl(url)}: ${redactText(reason.message, url)}`);
  }
  return redis;
}

async function selectDatabase(redis: Redis, database: number, url: string): Promise<void> {
  try {
    await redis.select(database);
  } catch (error) {
    if (!(error instanceof Error && /DB index is out of range/i.test(error.message))) throw error;
    throw new RedisDatabaseMissing(redactRedisUrl(url), database, await databaseCount(redis));
  }
}

/** `databases` from CONFIG GET, or undefined where CONFIG is denied or renamed (managed Redis often does that). */
async function databaseCount(redis: Redis): Promise<number | undefined> {
  try {
    const reply: unknown = await redis.config('GET', 'databases');
    const value: unknown = Array.isArray(reply) ? reply[1] : undefined;
    const count = Number(value);
    return typeof value === 'string' && Number.isInteger(count) && count > 0 ? count : undefined;
  } catch {
    return undefined;
  }
}

/** Something that accepts connections but never answers must not hang a start. */
export async function withinTimeout(start: () => Promise<void>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([start(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}


/** A driver's message might quote the password; it never reaches the terminal. */
function redactText(text: string, url: string): string {
  const raw = URL.canParse(url) ? new URL(url).password : '';
  if (raw === '') return text;
  return [raw, safeDecode(raw)].reduce((redacted, password) => redacted.split(password).join('***'), text);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
