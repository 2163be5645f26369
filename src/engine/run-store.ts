import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { RunEvent, RunSink, RunSummary } from './run-events.js';

export interface RunManifest {
  /** A load test, an SOP rehearsal (its load and its journal), a watch session (its alerts), or a `probe` sweep (its knee). */
  kind: 'loadtest' | 'rehearsal' | 'watch' | 'probe';
  tool: { name: string; version: string };
  /** The command and options as given. */
  invocation: { command: string; args: string[]; options: Record<string, unknown> };
  /** The scenario as resolved (defaults filled in), when the run came from one. */
  scenario?: unknown;
  /** The SOP as resolved (secrets masked), for a rehearsal; the SOPs watched, for a watch session. */
  sop?: unknown;
  /** The load plan as run (secrets masked where the command knows them). */
  plan: unknown;
  /** sha256 of the resolved scenario (or the plan, ad hoc): runs of the same input share it. */
  hash: string;
  started_at: string;
  ended_at?: string;
  status: 'running' | 'finished';
  verdict?: RunSummary['verdict'];
  exit_code?: number;
}

function stamp(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

/** `<base>/<UTC timestamp>-<name>`, with a counter when two runs start in the same second. */
export function newRunDirectory(base: string, name: string, epochMs: number): string {
  const stem = join(base, `${stamp(epochMs)}-${name}`);
  let dir = stem;
  for (let n = 2; existsSync(dir); n += 1) dir = `${stem}-${n}`;
  return dir;
}

export function inputHash(input: unknown): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(input)).digest('hex')}`;
}

export interface RunStore extends RunSink {
  readonly dir: string;
  /** Writes the final status into the manifest; `endedAt` (ISO) for a run with no load to say when it ended (a watch session). */
  finish(exitCode: number, endedAt?: string): void;
  /** Writes `summary.json` again, with what was learned after the load stopped (the isolation audit and cleanup). */
  writeSummary(summary: object): void;
  /** Appends an event of the command's own to `events.ndjson` (a rehearsal's phases, steps and checks); `at` is kept as given. */
  note(event: object): void;
}

/**
 * The run directory, written as the run goes: every line is handed to the OS as soon as its
 * second is complete, so a killed process leaves everything up to its last whole second.
 */
export function createRunStore(dir: string, manifest: RunManifest): RunStore {
  mkdirSync(dir, { recursive: true });
  let current = manifest;
  const writeManifest = (): void => writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(current, null, 2)}\n`);
  writeManifest();
  const intervals = openSync(join(dir, 'intervals.ndjson'), 'a');
  const events = openSync(join(dir, 'events.ndjson'), 'a');
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    closeSync(intervals);
    closeSync(events);
  };
  return {
    dir,
    handle(event: RunEvent) {
      if (closed) return;
      switch (event.type) {
        case 'second':
          if (event.records.length > 0) writeSync(intervals, event.records.map((record) => `${JSON.stringify(record)}\n`).join(''));
          return;
        case 'finished':
          writeFileSync(join(dir, 'summary.json'), `${JSON.stringify(event.summary, null, 2)}\n`);
          current = { ...current, ended_at: event.summary.ended_at, verdict: event.summary.verdict };
          writeSync(events, `${JSON.stringify({ type: 'finished', at: new Date(event.at).toISOString(), verdict: event.summary.verdict })}\n`);
          return;
        case 'started': {
          const { run, at } = event;
          writeSync(events, `${JSON.stringify({ type: 'started', at: new Date(at).toISOString(), run })}\n`);
          return;
        }
        default: {
          const { at, ...rest } = event;
          writeSync(events, `${JSON.stringify({ ...rest, at: new Date(at).toISOString() })}\n`);
        }
      }
    },
    note(event: object) {
      if (!closed) writeSync(events, `${JSON.stringify(event)}\n`);
    },
    writeSummary(summary: object) {
      writeFileSync(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    },
    finish(exitCode: number, endedAt?: string) {
      current = { ...current, status: 'finished', exit_code: exitCode, ...(endedAt === undefined || current.ended_at !== undefined ? {} : { ended_at: endedAt }) };
      writeManifest();
      close();
    },
    close,
  };
}
