import type { RunDescription, RunEvent, RunSnapshot, StopReason, WarningReason } from '../engine/run-events.js';
import type { ThresholdResult } from '../engine/threshold-evaluation.js';
import { describeAbort, describeFailingThreshold, describeIsolation, describeStopping, describeWarning } from './event-lines.js';

/** A line that is final once said (a warning, a failing threshold, the abort): the dashboard prints it above its frame. */
export interface LogLine {
  id: number;
  level: 'info' | 'warning' | 'error';
  text: string;
}

/** Everything the dashboard shows, folded from run events. */
export interface RunState {
  run: RunDescription | undefined;
  snapshot: RunSnapshot | undefined;
  /** The latest result of each threshold, from the last snapshot or a later `threshold` event. */
  thresholds: ThresholdResult[];
  log: LogLine[];
  /** Thresholds whose flip to failing is already in the log (until they pass again). */
  announcedFailing: string[];
  /** What the generator has warned about (each reason comes once): lag, dropped arrivals, a busy pool. */
  warned: Partial<Record<WarningReason, boolean>>;
  stopping: StopReason | undefined;
  aborted: { expr: string; value: number | null } | undefined;
  finished: boolean;
}

export const initialRunState: RunState = {
  run: undefined,
  snapshot: undefined,
  thresholds: [],
  log: [],
  announcedFailing: [],
  warned: {},
  stopping: undefined,
  aborted: undefined,
  finished: false,
};

const addLine = (state: RunState, level: LogLine['level'], text: string): LogLine[] => [...state.log, { id: state.log.length, level, text }];

/** The next state: a pure function, so the dashboard shows exactly what the events say. */
export function reduceRunState(state: RunState, event: RunEvent): RunState {
  switch (event.type) {
    case 'started':
      // Until the first second, thresholds are known by name only.
      return { ...state, run: event.run, thresholds: event.run.thresholds.map((expr) => ({ expr, value: null, pass: false })) };
    case 'second':
      return { ...state, snapshot: event.snapshot, thresholds: event.snapshot.thresholds };
    case 'warning':
      return { ...state, warned: { ...state.warned, [event.reason]: true }, log: addLine(state, 'warning', describeWarning(event)) };
    case 'threshold': {
      const previous = state.thresholds.find((result) => result.expr === event.expr);
      const result: ThresholdResult = { expr: event.expr, value: event.value, pass: event.pass };
      const thresholds = previous === undefined ? [...state.thresholds, result] : state.thresholds.map((old) => (old === previous ? result : old));
      // Only the flip to failing is news, as in the plain reporter.
      if (event.pass) return { ...state, thresholds, announcedFailing: state.announcedFailing.filter((expr) => expr !== event.expr) };
      if (state.announcedFailing.includes(event.expr)) return { ...state, thresholds };
      return {
        ...state,
        thresholds,
        announcedFailing: [...state.announcedFailing, event.expr],
        log: addLine(state, 'error', describeFailingThreshold(event.expr, event.value)),
      };
    }
    case 'aborted':
      return { ...state, aborted: { expr: event.expr, value: event.value }, log: addLine(state, 'error', describeAbort(event.expr, event.value)) };
    case 'stopping':
      return { ...state, stopping: event.reason, log: addLine(state, event.reason === 'completed' ? 'info' : 'warning', describeStopping(event.reason)) };
    case 'isolation':
      return { ...state, log: addLine(state, event.ok ? 'info' : 'error', describeIsolation(event)) };
    case 'finished':
      return { ...state, finished: true };
  }
}
