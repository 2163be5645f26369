import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSopText } from '../../src/sops/load-sop.js';
import { describeDetection } from '../../src/sops/sop-descriptions.js';
import { sopJsonSchemaText } from '../../src/sops/sop-json-schema.js';
import { runCli } from '../helpers/test-io.js';

/** `detection.alert` in the SOP format: what the schema and the rules accept, refuse and default. */

function sop(detection: string, links = 'links: { alerts: [{ matchers: { alertname: RoomInfoLatencyHigh, service: room-svc } }] }'): string {
  return `id: alert-sop
title: t
owners: [test]
${links}
load: { url: "/room/info?room_id=7", rate: 40/s }
trigger: { demo_fault: { target: store, latency_ms: 150 } }
detection: ${detection}
mitigation: [{ name: m, http: { PUT: /admin/flags/x, expect: { status: 200 } } }]
verification:
  baseline: { window: 2s, hypotheses: [load.p99<100ms] }
  degraded: { window: 2s, hypotheses: [load.p99<100ms] }
  recovered: { window: 2s, hypotheses: [load.p99<100ms] }
`;
}

async function check(text: string) {
  return checkSopText(text, 'alert-sop.yaml', { cwd: process.cwd(), env: {} });
}

async function issues(text: string): Promise<string[]> {
  const result = await check(text);
  return result.ok ? [] : result.issues.map((issue) => `${issue.line}:${issue.col} ${issue.path}: ${issue.message}`);
}

describe('detection.alert', () => {
  it('defaults listen to 127.0.0.1:9095 and the matchers to the SOP\'s links.alerts', async () => {
    const result = await check(sop('{ within: 60s, alert: {} }'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.sop.detection.alert).toEqual({ listen: '127.0.0.1:9095' });
    expect(describeDetection(result.sop)).toBe('alert {alertname="RoomInfoLatencyHigh", service="room-svc"} within 60s');
  });

  it('takes its own matchers, a listen address and a token variable', async () => {
    const result = await check(sop('{ within: 45s, alert: { matchers: { alertname: RoomInfoLatencyHigh }, listen: "0.0.0.0:9096", token_env: AM_TOKEN } }'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.sop.detection.alert).toEqual({ matchers: { alertname: 'RoomInfoLatencyHigh' }, listen: '0.0.0.0:9096', token_env: 'AM_TOKEN' });
    expect(describeDetection(result.sop)).toBe('alert {alertname="RoomInfoLatencyHigh"} within 45s');
  });

  it.each([
    ['alert and metric together', '{ within: 30s, metric: load.p99>100ms, alert: {} }', /7:\d+ detection: give one of probe, metric, alert, not metric and alert/],
    ['no kind at all', '{ within: 30s }', /detection: needs one of probe, metric, alert/],
    ['empty matchers', '{ within: 30s, alert: { matchers: {} } }', /detection\.alert\.matchers: empty matchers would match every alert/],
    ['a listen that is not host:port', '{ within: 30s, alert: { listen: "9096" } }', /detection\.alert\.listen: expected host:port \(e\.g\. 127\.0\.0\.1:9095\), got "9096"/],
    ['port 0', '{ within: 30s, alert: { listen: "127.0.0.1:0" } }', /detection\.alert\.listen: port 0 would pick a new port each run/],
    ['a port out of range', '{ within: 30s, alert: { listen: "127.0.0.1:70000" } }', /detection\.alert\.listen: expected host:port/],
    ['a token_env that is not a variable name', '{ within: 30s, alert: { token_env: "1-token" } }', /detection\.alert\.token_env: an environment variable name/],
    ['a typo in a key', '{ within: 30s, alert: { matcher: { alertname: X } } }', /detection\.alert\.matcher: unknown key "matcher" \(did you mean "matchers"\?\)/],
  ])('refuses %s, located', async (_name, detection, expected) => {
    const found = await issues(sop(detection));
    expect(found.join('\n')).toMatch(expected);
  });

  it('needs matchers when the SOP links no alerts', async () => {
    const found = await issues(sop('{ within: 30s, alert: {} }', 'links: { alerts: [] }'));
    expect(found.join('\n')).toMatch(/detection\.alert: no matchers and no links\.alerts: say which alert detects the fault/);
    expect(await issues(sop('{ within: 30s, alert: { matchers: { alertname: X } } }', 'links: { alerts: [] }'))).toEqual([]);
  });

  it('is in the generated JSON Schema, described, and the checked-in sops/sop.schema.json is up to date', () => {
    const schema = sopJsonSchemaText();
    expect(schema).toContain('"token_env"');
    expect(schema).toContain('Bearer token Alertmanager must send');
    expect(readFileSync('sops/sop.schema.json', 'utf8')).toBe(schema);
  });
});

describe('rehearse with detection.alert, before anything runs', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'la-alert-sop-')), 'alert-sop.yaml');
  writeFileSync(file, sop('{ within: 60s, alert: { listen: "127.0.0.1:9096", token_env: AM_HOOK_TOKEN } }'));

  it('--dry-run names the receiver to point Alertmanager at, with the token by its variable only', async () => {
    const result = await runCli(['rehearse', file, '--dry-run'], { env: { AM_HOOK_TOKEN: 'hook-secret-value' } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('  detect     alert {alertname="RoomInfoLatencyHigh", service="room-svc"} within 60s\n             a firing alert notified to http://127.0.0.1:9096/webhook after injection (Bearer token from $AM_HOOK_TOKEN)');
    expect(result.stdout).not.toContain('hook-secret-value');
  });

  it('refuses to run (exit 2) when the token variable is not set', async () => {
    const result = await runCli(['rehearse', file, '--no-tui'], { env: {} });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/detection\.alert\.token_env: \$AM_HOOK_TOKEN is not set/);
  });
});
