import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import type { z } from 'zod';
import { InvalidInputError, UsageError, type LocatedIssue } from '../errors.js';
import { journalFile, loadSummaryFile, manifestFile, type JournalFile, type LoadSummaryFile, type ManifestFile } from './run-files.js';

/** One line of `intervals.ndjson`: a second of one endpoint. */
export interface IntervalLine {
  second: number;
  endpoint: string;
  count: number;
  statuses: Record<string, number>;
  errors: Record<string, number>;
  latency_us: string;
}

/** One line of `events.ndjson`; `at` is an ISO time. */
export interface EventLine {
  type: string;
  at?: string;
  [field: string]: unknown;
}

export interface RunFile {
  name: string;
  bytes: number;
  sha256: string;
}

export interface RunDirectory {
  /** The directory as the user named it (relative to the working directory where possible). */
  dir: string;
  manifest: ManifestFile;
  /** A loadtest's `summary.json` (a rehearsal's load summary lives in its journal). */
  load?: LoadSummaryFile;
  /** `summary.json` as written, whatever its kind. */
  summary?: unknown;
  journal?: JournalFile;
  events: EventLine[];
  intervals: IntervalLine[];
  files: RunFile[];
  /** What is missing or cut off (a run killed mid-write still reports, and says so). */
  notes: string[];
}

function issue(file: string, line: number, path: string, message: string): LocatedIssue {
  return { file, line, col: 1, path, message };
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError([issue(file, 1, '', `not JSON: ${error instanceof Error ? error.message : String(error)}`)], 'a run directory is written by loadtest, rehearse or watch; pass its path unchanged');
  }
}

function parseJsonFile<T>(file: string, text: string, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(parseJson(file, text));
  if (parsed.success) return parsed.data;
  throw new InvalidInputError(parsed.error.issues.slice(0, 5).map((problem) => issue(file, 1, problem.path.join('.'), problem.message)));
}

function isIntervalLine(value: unknown): value is IntervalLine {
  if (typeof value !== 'object' || value === null) return false;
  const line: Record<string, unknown> = { ...value };
  return Number.isInteger(line['second']) && typeof line['endpoint'] === 'string' && typeof line['count'] === 'number' && typeof line['latency_us'] === 'string' && typeof line['statuses'] === 'object' && typeof line['errors'] === 'object';
}

function isEventLine(value: unknown): value is EventLine {
  return typeof value === 'object' && value !== null && 'type' in value && typeof value.type === 'string';
}

/**
 * NDJSON written as the run went: a killed run can leave its last line half-written, which is
 * noted, not fatal; a bad line anywhere else is a located error.
 */
function parseLines<T>(file: string, text: string, accept: (value: unknown) => value is T, what: string, notes: string[]): T[] {
  const lines = text.split('\n');
  const out: T[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const raw = lines[i] ?? '';
    if (raw.trim() === '') continue;
    const last = i === lines.length - 1;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      if (last) {
        notes.push(`${file}: the last line was cut off (the run stopped mid-write); the report covers the lines before it`);
        continue;
      }
      throw new InvalidInputError([issue(file, i + 1, '', 'not a JSON line')]);
    }
    if (!accept(value)) throw new InvalidInputError([issue(file, i + 1, '', `not ${what}`)]);
    out.push(value);
  }
  return out;
}

/** Reads one run directory; throws a located InvalidInputError when a file is not what its writer writes. */
export function readRunDirectory(path: string, shown: string): RunDirectory {
  if (!existsSync(join(path, 'manifest.json'))) throw new UsageError(`report: ${shown} is not a run directory (no manifest.json)`, 'pass directories written by loadtest, rehearse or watch (runs/<timestamp>-<name>), or a directory holding them');
  const notes: string[] = [];
  const at = (name: string): string => join(shown, name);
  // Each file is read once: hashed for the appendix, and parsed when it is JSON.
  const files: RunFile[] = [];
  const texts = new Map<string, string>();
  for (const name of readdirSync(path).sort()) {
    const full = join(path, name);
    if (!statSync(full).isFile()) continue;
    const buffer = readFileSync(full);
    files.push({ name, bytes: buffer.length, sha256: createHash('sha256').update(buffer).digest('hex') });
    if (/\.(json|ndjson)$/.test(name)) texts.set(name, buffer.toString('utf8'));
  }
  const manifest = parseJsonFile(at('manifest.json'), texts.get('manifest.json') ?? '', manifestFile);
  if (manifest.status === 'running') notes.push(`${shown}: the run never finished (its manifest still says running): it was killed, or is still going`);
  const summaryText = texts.get('summary.json');
  const summary = summaryText === undefined ? undefined : parseJson(at('summary.json'), summaryText);
  if (summaryText === undefined && manifest.kind !== 'watch') notes.push(`${shown}: no summary.json (the run was killed before its end); totals are computed from intervals.ndjson`);
  const load = manifest.kind === 'loadtest' && summaryText !== undefined ? parseJsonFile(at('summary.json'), summaryText, loadSummaryFile) : undefined;
  const journalText = texts.get('journal.json');
  const journal = journalText === undefined ? undefined : parseJsonFile(at('journal.json'), journalText, journalFile);
  if (manifest.kind === 'rehearsal' && journal === undefined) notes.push(`${shown}: no journal.json (the rehearsal was killed before its end)`);
  return {
    dir: shown,
    manifest,
    ...(load === undefined ? {} : { load }),
    ...(summary === undefined ? {} : { summary }),
    ...(journal === undefined ? {} : { journal }),
    events: parseLines(at('events.ndjson'), texts.get('events.ndjson') ?? '', isEventLine, 'an event (an object with a type)', notes),
    intervals: parseLines(at('intervals.ndjson'), texts.get('intervals.ndjson') ?? '', isIntervalLine, 'an interval (second, endpoint, count, statuses, errors, latency_us)', notes),
    files,
    notes,
  };
}

/**
 * The run directories behind the paths given: each path is a run directory, or holds run
 * directories one or two levels down (`runs/`, or a rehearsal of several SOPs).
 */
export function findRunDirectories(paths: readonly string[], cwd: string): Array<{ path: string; shown: string }> {
  const found = new Map<string, string>();
  const show = (full: string): string => {
    const rel = relative(cwd, full);
    return rel === '' ? '.' : rel.startsWith('..') ? full : rel;
  };
  const visit = (full: string, depth: number): void => {
    if (existsSync(join(full, 'manifest.json'))) {
      found.set(full, show(full));
      return;
    }
    if (depth === 0) return;
    for (const name of readdirSync(full).sort()) {
      const child = join(full, name);
      if (statSync(child).isDirectory()) visit(child, depth - 1);
    }
  };
  for (const given of paths) {
    const full = resolve(cwd, given);
    if (!existsSync(full) || !statSync(full).isDirectory()) throw new UsageError(`report: ${given}: no such directory`, 'pass run directories (runs/<timestamp>-<name>) or a directory holding them');
    const before = found.size;
    visit(full, 2);
    if (found.size === before) throw new UsageError(`report: ${given} holds no run directory (no manifest.json in it or below it)`, `run a loadtest, rehearse or watch first; their run directories go to runs/ (e.g. ${basename(given)}/<timestamp>-<name>)`);
  }
  return [...found].map(([path, shown]) => ({ path, shown }));
}
