import type { RuleIssue } from '../scenarios/rule-report.js';
import type { Sop } from './sop-schema.js';

/**
 * `detection.alert`: what the rehearsal's receiver listens on and which alerts count. Pure: the
 * receiver itself is src/watch's, started by `rehearse` and handed to the runner as an `AlertFeed`.
 */

export type AlertDetection = NonNullable<Sop['detection']['alert']>;

/** `host:port` or `[v6]:port`, as `watch --listen` reads it; undefined when it is neither. */
export function parseAlertListen(listen: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(listen);
  const port = Number(match?.[3]);
  if (match === null || !(port >= 0 && port <= 65_535)) return undefined;
  return { host: match[1] ?? match[2] ?? '127.0.0.1', port };
}

/** The label sets any one of which makes an alert the detection: its own `matchers`, else the SOP's `links.alerts`. */
export function alertMatcherSets(sop: Sop, alert: AlertDetection): ReadonlyArray<Readonly<Record<string, string>>> {
  return alert.matchers !== undefined ? [alert.matchers] : sop.links.alerts.map((set) => set.matchers);
}

/** `{alertname="X", service="y"}`, as Alertmanager writes label sets; several sets joined by "or". */
export function describeMatcherSets(sets: ReadonlyArray<Readonly<Record<string, string>>>): string {
  return sets.map((set) => `{${Object.entries(set).map(([name, value]) => `${name}=${JSON.stringify(value)}`).join(', ')}}`).join(' or ');
}

/** The labels but the alert's name, for a line that names it already. */
export function withoutAlertname(labels: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([name]) => name !== 'alertname'));
}

/** What the schema cannot say about an alert detection. */
export function checkAlertDetection(sop: Sop, alert: AlertDetection): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const path = ['detection', 'alert'];
  if (alert.matchers !== undefined && Object.keys(alert.matchers).length === 0) {
    issues.push({ path: [...path, 'matchers'], message: 'empty matchers would match every alert: give at least one label, e.g. { alertname: RoomInfoLatencyHigh }' });
  }
  if (alert.matchers === undefined && sop.links.alerts.length === 0) {
    issues.push({ path, message: 'no matchers and no links.alerts: say which alert detects the fault (matchers: { alertname: … }), or list it in links.alerts' });
  }
  sop.links.alerts.forEach((set, index) => {
    if (alert.matchers === undefined && Object.keys(set.matchers).length === 0) issues.push({ path: ['links', 'alerts', index, 'matchers'], message: 'an empty matcher set matches no alert: give at least one label' });
  });
  const listen = parseAlertListen(alert.listen);
  if (listen === undefined) issues.push({ path: [...path, 'listen'], message: `expected host:port (e.g. 127.0.0.1:9095), got ${JSON.stringify(alert.listen)}` });
  else if (listen.port === 0) issues.push({ path: [...path, 'listen'], message: 'port 0 would pick a new port each run, and Alertmanager\'s webhook url names a fixed one: give the port it sends to' });
  return issues;
}
