import { EnvironmentError, LiveAssureError, UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { Io } from '../io.js';
import { connectFailFastRedis, RedisDatabaseMissing, ShadowRedisUnreachable } from '../shadow/fail-fast-redis.js';
import { redactRedisUrl } from '../shadow/redis-url.js';
import { cleanupShadowKeys, ShadowCleanupFailed, type CleanupResult } from '../shadow/redis-cleanup.js';
import { createProgressView, groupDigits } from './shadow-cleanup-progress.js';
import { riskyPrefixReason } from './cleanup-prefix.js';

export interface ShadowCleanupOptions {
  redis: string;
  prefix: string;
  dryRun?: boolean;
  tui: boolean;
  json?: boolean;
  /** Delete under a prefix that has no separator at its end or does not look like a shadow prefix. */
  force?: boolean;
}

const EXAMPLES = 5;
const EXAMPLE_CHARS = 80;

/** `shadow cleanup`: deletes every key under the shadow prefix; safe to re-run after an interruption or failure. */
export async function runShadowCleanup(options: ShadowCleanupOptions, io: Io): Promise<number> {
  if (!isRedisUrl(options.redis)) throw new UsageError(`--redis must be a redis:// or rediss:// URL, not ${redactRedisUrl(options.redis)}`);
  if (options.prefix === '') throw new UsageError('--prefix must not be empty: every key in the database would match');
  // A dry run deletes nothing: it is how a user sees what a prefix catches.
  if (options.force !== true && options.dryRun !== true) refuseRiskyPrefix(options.prefix);
  const dryRun = options.dryRun === true;
  const prefix = JSON.stringify(options.prefix);

  const redis = await connect(options.redis);
  const examples = dryRun ? new ExampleKeys(EXAMPLES) : undefined;
  const bar = io.stderr.isTTY === true && options.tui && options.json !== true && io.env['CI'] === undefined;
  const view = createProgressView(io.stderr, { bar, dryRun, now: () => io.now() });
  let result: CleanupResult;
  try {
    result = await cleanupShadowKeys(redis, {
      prefix: options.prefix,
      dryRun,
      signal: io.signal,
      onProgress: (progress) => view.update(progress),
      ...(examples === undefined ? {} : { onMatched: (matched: Buffer[]) => examples.add(matched) }),
    });
  } catch (error) {
    if (!(error instanceof ShadowCleanupFailed)) throw error;
    const done = dryRun ? `after counting ${keys(error.progress.matched)}` : `after deleting ${keys(error.progress.deleted)}`;
    const scanned = `${Math.floor(error.progress.scanned_share * 100)}% of the keyspace scanned`;
    throw new LiveAssureError(`shadow cleanup of ${prefix} failed ${done} (${scanned}): ${error.message}`, {
      code: 'shadow-cleanup-failed',
      exitCode: ExitCode.CleanupFailed,
      hint: `the rest of the keys under ${prefix} are still in Redis: re-run the same command once Redis is back (it is safe to re-run)`,
      cause: error,
    });
  } finally {
    view.finish();
    await redis.quit().catch(() => redis.disconnect());
  }

  const shown = examples?.keys ?? [];
  if (options.json === true) io.stdout.write(`${JSON.stringify(examples === undefined ? result : { ...result, examples: shown })}\n`);
  else io.stdout.write(`${[summaryLine(result, prefix), ...exampleLines(shown, result.matched)].join('\n')}\n`);
  if (result.complete) return ExitCode.Ok;
  io.stderr.write(`live-assure: interrupted; keys under ${prefix} may be left: re-run the same command to ${dryRun ? 'count' : 'delete'} the rest\n`);
  return ExitCode.Interrupted;
}

/** A prefix that also catches production keys is refused before Redis is touched; --force overrides. */
function refuseRiskyPrefix(prefix: string): void {
  const reason = riskyPrefixReason(prefix);
  if (reason !== undefined) throw new UsageError(reason);
}

/** The first distinct keys a dry run matched, so the user sees what the prefix catches. */
class ExampleKeys {
  readonly keys: string[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly max: number) {}

  add(matched: Buffer[]): void {
    for (const key of matched) {
      if (this.keys.length >= this.max) return;
      // SCAN may return a key twice; its raw bytes, not its printable form, tell keys apart.
      const identity = key.toString('latin1');
      if (this.seen.has(identity)) continue;
      this.seen.add(identity);
      this.keys.push(printableKey(key, EXAMPLE_CHARS));
    }
  }
}

function exampleLines(shown: readonly string[], matched: number): string[] {
  if (shown.length === 0) return [];
  const more = matched - shown.length;
  return [...shown.map((key) => `  ${key}`), ...(more > 0 ? [`  … and ${groupDigits(more)} more`] : [])];
}

/**
 * A key as one line of at most `max` characters: UTF-8 as text; bytes that are not UTF-8, control
 * characters and backslashes escaped (`\xNN`, `\u{NNNN}`, `\\`), so no key can break or forge a line.
 */
function printableKey(key: Buffer, max: number): string {
  const parts: string[] = [];
  let width = 0;
  for (let index = 0; index < key.length && width <= max; ) {
    const length = utf8Length(key, index);
    const part = length === 0 ? hexByte(key[index]) : printableChar(key.toString('utf8', index, index + length));
    index += length === 0 ? 1 : length;
    parts.push(part);
    width += [...part].length;
  }
  if (width <= max) return parts.join('');
  let text = '';
  let used = 0;
  for (const part of parts) {
    const partWidth = [...part].length;
    if (used + partWidth > max - 1) break;
    text += part;
    used += partWidth;
  }
  return `${text}…`;
}

/** Bytes of the well-formed UTF-8 character at `index`, or 0 when the byte there does not start one. */
function utf8Length(key: Buffer, index: number): number {
  const lead = key[index] ?? 0;
  if (lead < 0x80) return 1;
  const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
  if (length === 0 || index + length > key.length) return 0;
  // Overlong forms, surrogates and code points past U+10FFFF decode to U+FFFD, so they do not survive a round trip.
  const bytes = key.subarray(index, index + length);
  return Buffer.from(bytes.toString('utf8')).equals(bytes) ? length : 0;
}

function printableChar(char: string): string {
  if (char === '\\') return '\\\\';
  const code = char.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f) return hexByte(code);
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(char)) return `\\u{${code.toString(16).padStart(4, '0')}}`;
  return char;
}

function hexByte(byte: number | undefined): string {
  return `\\x${(byte ?? 0).toString(16).padStart(2, '0')}`;
}

function isRedisUrl(text: string): boolean {
  return /^rediss?:\/\/[^/]/.test(text) && URL.canParse(text);
}

async function connect(url: string): ReturnType<typeof connectFailFastRedis> {
  try {
    return await connectFailFastRedis(url);
  } catch (error) {
    if (error instanceof RedisDatabaseMissing) {
      const has = error.databases === undefined ? '' : ` (it has ${error.databases})`;
      throw new UsageError(`--redis ${error.url} names database ${error.database}, which this Redis does not have${has}`);
    }
    if (error instanceof ShadowRedisUnreachable) {
      throw new EnvironmentError(`shadow cleanup: ${error.message}`, 'is Redis running there? check the host, port, password and database in --redis');
    }
    throw error;
  }
}

function summaryLine(result: CleanupResult, prefix: string): string {
  const seconds = `${(result.elapsed_ms / 1000).toFixed(1)} s`;
  const stopped = result.complete ? '' : 'interrupted: ';
  if (result.dry_run) {
    return `shadow cleanup: ${stopped}would delete ${keys(result.matched)} under ${prefix} (dry run, nothing deleted; scanned ${groupDigits(result.scanned_keys)} in ${seconds})`;
  }
  return `shadow cleanup: ${stopped}deleted ${keys(result.deleted)} under ${prefix} in ${seconds} (scanned ${groupDigits(result.scanned_keys)})`;
}

const keys = (count: number): string => `${groupDigits(count)} ${count === 1 ? 'key' : 'keys'}`;
