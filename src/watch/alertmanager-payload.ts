import { z } from 'zod';

/**
 * The body Alertmanager's webhook receiver POSTs (payload version "4", as
 * `prometheus/alertmanager:docs/configuration.md` `<webhook_config>` defines it). Objects are loose,
 * not strict like SOP files: Alertmanager adds fields over time (`notification_reason` in v0.32,
 * `routeLabels` in v0.34) and a receiver must not reject a newer sender.
 */

/** The only payload version this receiver understands. */
const UNDERSTOOD_VERSION = '4';

const labelSet = z.record(z.string(), z.string());

// Go's RFC3339Nano: nanosecond fractions and numeric offsets both occur.
const rfc3339 = z.iso.datetime({ offset: true, error: 'expected an RFC 3339 time' });

const alertStatus = z.enum(['firing', 'resolved']);

const alertSchema = z.looseObject({
  status: alertStatus.describe('This alert\'s own state: the only thing that says firing or resolved.'),
  labels: labelSet.describe('Identifying labels (`alertname`, `service`, …); SOP matchers compare these.'),
  annotations: labelSet.describe('Non-identifying text (`summary`, `runbook_url`, …).'),
  startsAt: rfc3339.describe('When the alert started firing.'),
  // The zero time (0001-01-01T00:00:00Z) while firing: Alertmanager clears it so alerts don't resolve as time moves.
  endsAt: rfc3339.describe('When it resolved; meaningful only when status is resolved.'),
  generatorURL: z.string().describe('Link to the entity that caused the alert (may be empty).'),
  fingerprint: z.string().min(1, 'expected a non-empty fingerprint').describe('Stable identity of the alert across notifications.'),
});

const payloadSchema = z.looseObject({
  version: z.literal(UNDERSTOOD_VERSION),
  groupKey: z.string().describe('`<routeKey>:<groupLabels>`, identifies the notification group.'),
  // Arrived in v0.21.0; older senders of version "4" omit it, which means nothing was cut.
  truncatedAlerts: z.number().int().min(0).default(0).describe('Alerts left out because of `max_alerts`.'),
  status: alertStatus.describe('`firing` if any alert in the group fires.'),
  receiver: z.string(),
  groupLabels: labelSet,
  commonLabels: labelSet,
  commonAnnotations: labelSet,
  externalURL: z.string().describe('Backlink to the Alertmanager.'),
  notification_reason: z.string().optional().describe('Why this notification was sent (v0.32+), e.g. `repeat interval elapsed`.'),
  alerts: z.array(alertSchema),
});

export type AlertmanagerPayload = z.output<typeof payloadSchema>;
export type AlertmanagerAlert = AlertmanagerPayload['alerts'][number];

export type PayloadResult = { ok: true; payload: AlertmanagerPayload } | { ok: false; error: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueAt(json: unknown, path: readonly PropertyKey[]): unknown {
  let value = json;
  for (const key of path) {
    if (Array.isArray(value) && typeof key === 'number') value = value[key];
    else if (isRecord(value) && typeof key === 'string') value = value[key];
    else return undefined;
  }
  return value;
}

const ARTICLE_TYPES: Record<string, string> = { string: 'a string', number: 'a number', array: 'a list', object: 'an object', record: 'an object' };

function describeIssue(issue: z.core.$ZodIssue, json: unknown): string {
  if (issue.code !== 'invalid_type') return issue.message.replace(/^Invalid (input|option): /, '');
  const expected = ARTICLE_TYPES[issue.expected] ?? issue.expected;
  return valueAt(json, issue.path) === undefined ? `required (expected ${expected})` : `expected ${expected}`;
}

function versionError(json: unknown): string | undefined {
  if (!isRecord(json) || !('version' in json) || json.version === UNDERSTOOD_VERSION) return undefined;
  return `version: ${JSON.stringify(json.version)} is not understood; live-assure understands Alertmanager webhook payload version "${UNDERSTOOD_VERSION}"`;
}

/** Validates a parsed webhook body; the error is one line naming the first bad field. */
export function parseAlertmanagerPayload(json: unknown): PayloadResult {
  if (!isRecord(json)) return { ok: false, error: 'expected a JSON object (an Alertmanager webhook payload)' };
  const wrongVersion = versionError(json);
  if (wrongVersion !== undefined) return { ok: false, error: wrongVersion };
  const parsed = payloadSchema.safeParse(json);
  if (parsed.success) return { ok: true, payload: parsed.data };
  const [first, ...rest] = parsed.error.issues;
  if (first === undefined) return { ok: false, error: 'invalid payload' };
  const where = first.path.length > 0 ? `${first.path.map(String).join('.')}: ` : '';
  const more = rest.length > 0 ? ` (and ${String(rest.length)} more problem${rest.length === 1 ? '' : 's'})` : '';
  return { ok: false, error: `${where}${describeIssue(first, json)}${more}` };
}
