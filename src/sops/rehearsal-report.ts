import type { RunSummary } from '../engine/run-events.js';
import type { JunitCase, JunitSuite } from './junit-xml.js';
import type { Check, RehearsalEvent, RehearsalResult } from './rehearsal-model.js';
import type { Sop } from './sop-schema.js';

/** What a rehearsal leaves behind: its JUnit testsuite and its journal. */

export interface RehearsalMeta {
  /** The SOP file as given. */
  file: string;
  /** sha256 of the SOP file's text. */
  sha: string;
  seed: number;
  target: string;
  /** Wall-clock ISO times. */
  startedAt: string;
  endedAt: string;
}

function caseOf(sop: Sop, check: Check): JunitCase {
  const base = { classname: `${sop.id}.${check.group}`, name: check.name, seconds: check.ms / 1000, ...(check.output === undefined ? {} : { output: check.output }) };
  switch (check.result) {
    case 'passed':
      return { ...base, outcome: { kind: 'passed' } };
    case 'skipped':
      return { ...base, outcome: { kind: 'skipped', message: check.message } };
    default:
      return { ...base, outcome: { kind: check.result, message: check.message } };
  }
}

export function rehearsalSuite(sop: Sop, result: RehearsalResult, meta: RehearsalMeta): JunitSuite {
  const timings = Object.entries(result.timings).filter((entry): entry is [string, number] => entry[1] !== null);
  return {
    name: sop.id,
    timestamp: meta.startedAt,
    seconds: result.durationMs / 1000,
    properties: { status: result.status, exit_code: result.exitCode, ...Object.fromEntries(timings), seed: meta.seed, sop_sha: meta.sha, load_rps: result.loadRps, ...(result.stop === undefined ? {} : { stopped: result.stop.reason }) },
    cases: result.checks.map((check) => caseOf(sop, check)),
  };
}

/** A suite for an SOP that was never rehearsed: skipped after an interrupt, an error when it could not be. */
export function notRehearsedSuite(sop: Sop, reason: string, timestamp: string, kind: 'skipped' | 'error' = 'skipped'): JunitSuite {
  return { name: sop.id, timestamp, seconds: 0, properties: { status: 'not-run' }, cases: [{ classname: `${sop.id}.rehearsal`, name: 'rehearse', seconds: 0, outcome: { kind, message: reason } }] };
}

/** `journal.json`: the rehearsal as it happened, for people and for `report`. */
export function rehearsalJournal(sop: Sop, result: RehearsalResult & { load?: RunSummary }, meta: RehearsalMeta, events: readonly RehearsalEvent[]) {
  const { load, ...rest } = result;
  return {
    sop: { id: sop.id, title: sop.title, owners: sop.owners, links: sop.links, file: meta.file, sha256: meta.sha },
    status: rest.status,
    exit_code: rest.exitCode,
    ...(rest.stop === undefined ? {} : { stop: rest.stop }),
    started_at: meta.startedAt,
    ended_at: meta.endedAt,
    duration_ms: rest.durationMs,
    seed: meta.seed,
    target: meta.target,
    /** Milestones, ms since the rehearsal started (monotonic clock). */
    timeline: rest.milestones,
    timings: rest.timings,
    checks: rest.checks,
    windows: rest.windows,
    ...(load === undefined ? {} : { load: { rps: rest.loadRps, requests: load.requests, errors: load.errors, latency_ms: load.latency_ms, endpoints: load.endpoints } }),
    events: events.filter((event) => event.type !== 'load'),
  };
}
