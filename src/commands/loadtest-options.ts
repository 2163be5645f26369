import { availableParallelism } from 'node:os';
import { UsageError } from '../errors.js';
import type { LoadPlan } from '../engine/load-plan.js';
import type { AdHocRequest } from '../engine/scenario-load-plan.js';
import { HTTP_METHODS } from '../scenarios/http-methods.js';
import { parseThresholdExpr, type ThresholdExpr } from '../scenarios/threshold-expr.js';
import { parseDuration, parseRate } from '../scenarios/unit-text.js';
import { parseFlagCount, parseFlagNumber } from './flag-numbers.js';

/** The flags as commander hands them over. */
export interface LoadtestFlags {
  target?: string;
  url?: string;
  method?: string;
  body?: string;
  header: string[];
  rate?: string;
  name: string;
  duration?: string;
  scale?: string;
  arrivals?: string;
  threshold: string[];
  abort: string[];
  workers?: string;
  connections: string;
  maxInFlight: string;
  timeout: string;
  maxLag: string;
  seed?: string;
  out?: string;
  allowUnisolatedWrites?: boolean;
  keepShadow?: boolean;
  shadowRedis?: string;
  tui: boolean;
  json?: boolean;
}

const MAX_DEFAULT_WORKERS = 8;

function parseFlagDuration(flag: string, raw: string): number {
  const ms = parseDuration(raw);
  if (ms === undefined || ms <= 0) throw new UsageError(`${flag}: expected a duration like 30s, 2m or 500ms, got ${JSON.stringify(raw)}`);
  return ms;
}

function parseExprs(flag: string, texts: readonly string[]): ThresholdExpr[] {
  return texts.map((text) => {
    const expr = parseThresholdExpr(text);
    if ('error' in expr) throw new UsageError(`${flag} ${JSON.stringify(text)}: ${expr.error}`);
    return expr;
  });
}

function parseUrl(flag: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${flag}: expected an http:// or https:// URL, got ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${flag}: expected an http:// or https:// URL, got ${JSON.stringify(raw)}`);
  return url.href;
}

function parseHeaders(texts: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const text of texts) {
    const colon = text.indexOf(':');
    const name = colon <= 0 ? '' : text.slice(0, colon).trim();
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new UsageError(`--header: expected "name: value", got ${JSON.stringify(text)}`);
    headers[name] = text.slice(colon + 1).trim();
  }
  return headers;
}

export interface ParsedLoadtestFlags {
  durationMs: number | undefined;
  scale: number | undefined;
  arrivals: LoadPlan['arrivals'] | undefined;
  thresholds: ThresholdExpr[];
  abort: ThresholdExpr[];
  workers: number;
  limits: LoadPlan['limits'];
  timeoutMs: number;
  seed: number;
  target: string | undefined;
}

export function parseLoadtestFlags(flags: LoadtestFlags, now: number): ParsedLoadtestFlags {
  const arrivals = flags.arrivals;
  if (arrivals !== undefined && arrivals !== 'poisson' && arrivals !== 'constant') throw new UsageError(`--arrivals: expected poisson or constant, got ${JSON.stringify(arrivals)}`);
  return {
    durationMs: flags.duration === undefined ? undefined : parseFlagDuration('--duration', flags.duration),
    scale: flags.scale === undefined ? undefined : parseFlagNumber('--scale', flags.scale, 0, false),
    arrivals,
    thresholds: parseExprs('--threshold', flags.threshold),
    abort: parseExprs('--abort', flags.abort),
    workers: flags.workers === undefined ? Math.min(availableParallelism(), MAX_DEFAULT_WORKERS) : parseFlagCount('--workers', flags.workers, 1),
    limits: {
      connections: parseFlagCount('--connections', flags.connections, 1),
      maxInFlight: parseFlagCount('--max-in-flight', flags.maxInFlight, 1),
      connectTimeoutMs: parseFlagDuration('--timeout', flags.timeout),
      maxLagMs: parseFlagDuration('--max-lag', flags.maxLag),
    },
    timeoutMs: parseFlagDuration('--timeout', flags.timeout),
    seed: flags.seed === undefined ? now % 2 ** 31 : parseFlagCount('--seed', flags.seed, 0),
    target: flags.target === undefined ? undefined : parseUrl('--target', flags.target),
  };
}

const AD_HOC_ONLY = [
  ['method', '--method'],
  ['body', '--body'],
  ['rate', '--rate'],
] as const;

/** Flags that belong to the other mode are mistakes, not options to ignore. */
export function checkModeFlags(flags: LoadtestFlags, scenario: boolean): void {
  if (scenario) {
    const stray: string[] = AD_HOC_ONLY.filter(([key]) => flags[key] !== undefined).map(([, flag]) => flag);
    if (flags.header.length > 0) stray.push('--header');
    if (flags.name !== 'request') stray.push('--name');
    if (stray.length > 0) throw new UsageError(`${stray.join(', ')} ${stray.length === 1 ? 'is' : 'are'} for ad-hoc runs (--url); a scenario's steps say what to send`);
  } else if (flags.scale !== undefined) {
    throw new UsageError('--scale scales a scenario\'s forecast; with --url, --rate is the rate');
  }
}

/** `--url … --rate … --duration …`: the one request of an ad-hoc run. */
export function parseAdHocRequest(flags: LoadtestFlags, durationMs: number | undefined): AdHocRequest {
  const url = parseUrl('--url', flags.url ?? '');
  const given = flags.method ?? (flags.body === undefined ? 'GET' : 'POST');
  const method = HTTP_METHODS.find((candidate) => candidate === given.toUpperCase());
  if (method === undefined) throw new UsageError(`--method: expected one of ${HTTP_METHODS.join(', ')}, got ${JSON.stringify(given)}`);
  if (flags.rate === undefined) throw new UsageError('--url needs --rate (requests per second, e.g. --rate 200 or --rate 12000/min)');
  if (durationMs === undefined) throw new UsageError('--url needs --duration (e.g. --duration 30s)');
  const rate = parseRate(flags.rate) ?? parseRate(`${flags.rate}/s`);
  if (rate === undefined || rate <= 0) throw new UsageError(`--rate: expected requests per second like 200 or 12000/min, got ${JSON.stringify(flags.rate)}`);
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(flags.name)) throw new UsageError(`--name: use letters, digits, "-" and "_", got ${JSON.stringify(flags.name)}`);
  return {
    url,
    method,
    ...(flags.body === undefined ? {} : { body: flags.body }),
    headers: parseHeaders(flags.header),
    rate,
    durationMs,
    name: flags.name,
  };
}

/** What a load plan takes from the flags, ad hoc or scenario alike. */
export function planSettings(parsed: ParsedLoadtestFlags, target: string) {
  return {
    target,
    runId: `la-${parsed.seed.toString(36)}-${Date.now().toString(36)}`,
    seed: parsed.seed,
    ...(parsed.durationMs === undefined ? {} : { durationMs: parsed.durationMs }),
    ...(parsed.arrivals === undefined ? {} : { arrivals: parsed.arrivals }),
    thresholds: parsed.thresholds,
    abort: parsed.abort,
    limits: parsed.limits,
    defaultTimeoutMs: parsed.timeoutMs,
  };
}
