import type { EndpointMeasure, LoadSeries } from './load-measures.js';
import type { JournalCheck, RecordedThreshold } from './run-files.js';

/**
 * The post-event report as data: every renderer (HTML, Markdown, JSON, JUnit) draws this and
 * computes nothing of its own, so the formats never disagree.
 */

export type AnnotationKind = 'phase' | 'step' | 'milestone' | 'breach' | 'abort' | 'stop' | 'alert' | 'isolation' | 'warning';

/** A moment on a load's charts, seconds since the load's origin. */
export interface Annotation {
  at_s: number;
  kind: AnnotationKind;
  label: string;
}

/** A span on a load's charts: a rehearsal's fault, its verification windows. */
export interface Band {
  from_s: number;
  to_s: number;
  kind: 'fault' | 'baseline' | 'degraded' | 'recovered';
  label: string;
}

export interface IsolationCheck {
  check: string;
  ok: boolean;
  message: string;
}

export interface IsolationView {
  ok: boolean;
  /** Write steps run without proven isolation (`--allow-unisolated-writes`). */
  unisolated: string[];
  preflight: string;
  sentinel: string;
  /** No leak seen during the run and every sentinel check made. */
  sentinel_ok: boolean;
  audit: string;
  cleanup: string;
  checks: IsolationCheck[];
}

export interface EndpointRow extends EndpointMeasure {
  /** Against the scenario's SLO, where it has one: null when not judged. */
  slo_p99_ok: boolean | null;
  slo_errors_ok: boolean | null;
}

export interface LoadSection {
  id: string;
  title: string;
  kind: 'loadtest' | 'rehearsal';
  /** Run directories merged into this load (several agents of one scenario). */
  runs: string[];
  target: string;
  started_at: string;
  ended_at: string;
  /** Wall-clock ms of second 0 of the charts. */
  origin_ms: number;
  duration_s: number;
  verdict: 'pass' | 'fail' | 'aborted' | 'unknown';
  partial: boolean;
  stop_reason: string | undefined;
  totals: EndpointRow;
  endpoints: EndpointRow[];
  thresholds: RecordedThreshold[];
  slo: { p99_ms?: number; error_rate?: number } | undefined;
  abort: string | undefined;
  series: LoadSeries;
  annotations: Annotation[];
  bands: Band[];
  isolation: IsolationView | undefined;
  generator_warnings: string[];
  first_errors: string[];
}

export interface CapacityEndpointRow {
  endpoint: string;
  forecast_qps: number;
  /** What the test aimed at for this endpoint at level 1: forecast × scale. */
  target_qps: number;
  /** The busiest 30 s of the test (its whole length when shorter). */
  measured_peak_qps: number;
  /** Measured ÷ scale: the event load the test stands for. */
  equivalent_qps: number;
  /** equivalent ÷ forecast. */
  reached: number;
  p99_ms: number | null;
}

export interface CapacityServiceRow {
  service: string;
  forecast_qps: number;
  needed: number;
  have: number;
  unit: string;
  pool: string;
  gap: number;
  /** The measured endpoint peaks, pushed through the call graph and ÷ scale. */
  equivalent_qps: number;
  reached: number;
}

export interface CapacitySection {
  scenario: string;
  load: string;
  scale: number;
  verdict: string;
  holds: boolean;
  endpoints: CapacityEndpointRow[];
  services: CapacityServiceRow[];
  hot_keys: string[];
  /** The least of every endpoint's reached share: the level the test validated. */
  validated_level: number;
}

/** What one instance served in a `probe` sweep: the knee under its p99 SLO. */
export interface ProbeView {
  dir: string;
  url: string;
  method: string;
  service: string | undefined;
  slo_p99_ms: number;
  knee: { concurrency: number; throughput: number; p99_ms: number | null } | null;
  suggested_per_instance_qps: number | null;
  usl_peak: { concurrency: number; throughput: number } | null;
  /** The scenario's per_instance_qps for the service the probe named. */
  assumed_per_instance_qps: number | undefined;
  /** Whether the knee reaches what the forecast assumes; undefined when there is nothing to compare. */
  assumption_holds: boolean | undefined;
}

export interface Milestone {
  name: string;
  at_ms: number;
}

export interface RehearsalSection {
  id: string;
  sop: { id: string; title: string; owners: string[]; file?: string };
  dir: string;
  status: string;
  /** Undefined when the rehearsal was killed before it could say. */
  exit_code: number | undefined;
  started_at: string;
  ended_at: string;
  duration_ms: number;
  stop: string | undefined;
  timings: Record<string, number | null>;
  milestones: Milestone[];
  checks: JournalCheck[];
  /** Alerts the rehearsal's receiver heard (`detection.alert`); `matches`: one the detection waited for. */
  alerts: Array<{ at: string; alertname: string; change: string; matches: boolean }>;
  load: LoadSection | undefined;
}

export interface AlertView {
  alertname: string;
  labels: Record<string, string>;
  fingerprint: string;
  sop: string | undefined;
  by: string | undefined;
  fired_at: string;
  resolved_at: string | undefined;
  refired: number;
  /** Where it was recorded. */
  dir: string;
}

export interface WatchSection {
  id: string;
  dir: string;
  started_at: string;
  ended_at: string | undefined;
  notifications: number;
  alerts: AlertView[];
}

export interface AlertCoverage extends AlertView {
  /** A rehearsal of its SOP that ran while it fired, if any. */
  executed: { dir: string; at: string; first_step_after_s: number | undefined } | undefined;
  rehearsal: 'fresh' | 'stale' | 'never' | 'no SOP';
  last_green: string | undefined;
}

export interface SopCoverage {
  id: string;
  title: string | undefined;
  state: 'fresh' | 'stale' | 'never';
  last_green: string | undefined;
  last_run: { at: string; status: string; dir: string } | undefined;
  alerts_fired: number;
}

export interface Coverage {
  alerts: AlertCoverage[];
  unlinked: string[];
  sops: SopCoverage[];
  max_age_ms: number;
}

export interface ActionItem {
  type: 'capacity' | 'threshold' | 'slo' | 'isolation' | 'rehearsal' | 'sop' | 'rehearse';
  text: string;
  source: string;
}

export interface AppendixRun {
  dir: string;
  kind: string;
  command: string;
  tool_version: string;
  input_hash: string;
  started_at: string;
  ended_at: string | undefined;
  status: string;
  exit_code: number | undefined;
  files: Array<{ name: string; bytes: number; sha256: string }>;
}

export interface ReportModel {
  title: string;
  generated_at: string;
  tool: { name: string; version: string };
  window: { from: string; to: string };
  verdict: { pass: boolean; line: string };
  summary: string[];
  loads: LoadSection[];
  capacity: CapacitySection[];
  probes: ProbeView[];
  rehearsals: RehearsalSection[];
  watches: WatchSection[];
  coverage: Coverage;
  actions: ActionItem[];
  notes: string[];
  appendix: AppendixRun[];
}
