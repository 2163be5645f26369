import type { AlertmanagerAlert } from './alertmanager-payload.js';

/**
 * Which SOP answers an alert. Two ways, in order of trust:
 * 1. `matchers`: one of the SOP's `links.alerts` matcher sets whose every label=value pair equals
 *    the alert's label. Equality only: the SOP schema types matchers as plain label → value
 *    records, and the reference shows Alertmanager matchers only in route keys, so `=~`/`!=`
 *    syntax inside a value would be a silent surprise rather than a feature.
 * 2. `runbook_url`: the alert's `runbook_url` annotation (the Prometheus/mixin convention) names
 *    the SOP: it equals the SOP's `links.runbook`, or its last path segment is the SOP id, bare or
 *    as `<id>.yaml`, `<id>.yml`, `<id>.md` (so `…/sop/<id>` and `…/sops/<id>.yaml` both work).
 */

/** The part of an SOP that linking reads; a full `Sop` fits. */
export interface LinkableSop {
  readonly id: string;
  readonly links: {
    readonly alerts: readonly { readonly matchers: Readonly<Record<string, string>> }[];
    readonly runbook?: string | undefined;
  };
}

export interface AlertSopLink {
  readonly sop: string;
  readonly by: 'matchers' | 'runbook_url';
  /** Other SOPs that matched the same way; the link picked the first by id so reruns agree. */
  readonly alsoMatching: readonly string[];
}

type LinkableAlert = Pick<AlertmanagerAlert, 'labels' | 'annotations'>;

function matchesLabels(matchers: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  const pairs = Object.entries(matchers);
  // An empty matcher set would claim every alert: treat it as matching none.
  return pairs.length > 0 && pairs.every(([label, value]) => labels[label] === value);
}

function withoutTrailingSlash(text: string): string {
  return text.replace(/\/+$/, '');
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    // Not an absolute URL (a relative path or bare file name): use it as a path.
    return url.replace(/[?#].*$/, '');
  }
}

function lastPathSegment(url: string): string {
  const segment = withoutTrailingSlash(pathOf(url)).split('/').pop() ?? '';
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function runbookNames(sop: LinkableSop, runbookUrl: string): boolean {
  const runbook = sop.links.runbook;
  if (runbook !== undefined && withoutTrailingSlash(runbook) === withoutTrailingSlash(runbookUrl)) return true;
  const segment = lastPathSegment(runbookUrl);
  return segment === sop.id || [`${sop.id}.yaml`, `${sop.id}.yml`, `${sop.id}.md`].includes(segment);
}

function byId(a: LinkableSop, b: LinkableSop): number {
  if (a.id === b.id) return 0;
  return a.id < b.id ? -1 : 1;
}

function pick(matched: readonly LinkableSop[], by: AlertSopLink['by']): AlertSopLink | undefined {
  const [first, ...others] = [...matched].sort(byId);
  if (first === undefined) return undefined;
  return { sop: first.id, by, alsoMatching: others.map((sop) => sop.id) };
}

/** The SOP an alert should be answered by, or undefined when none claims it. */
export function linkAlert(alert: LinkableAlert, sops: readonly LinkableSop[]): AlertSopLink | undefined {
  const byMatchers = sops.filter((sop) => sop.links.alerts.some((set) => matchesLabels(set.matchers, alert.labels)));
  const linked = pick(byMatchers, 'matchers');
  if (linked !== undefined) return linked;
  const runbookUrl = alert.annotations['runbook_url']?.trim();
  if (runbookUrl === undefined || runbookUrl === '') return undefined;
  return pick(
    sops.filter((sop) => runbookNames(sop, runbookUrl)),
    'runbook_url',
  );
}
