import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli-process.js';

/** `live-assure watch` as Alertmanager meets it: the built binary, webhooks over loopback HTTP. */

const dir = mkdtempSync(join(tmpdir(), 'la-watch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function alert(status: 'firing' | 'resolved', labels: Record<string, string>, fingerprint: string) {
  return {
    status,
    labels,
    annotations: { summary: 'test' },
    startsAt: '2026-11-22T02:00:00.000Z',
    endsAt: status === 'resolved' ? '2026-11-22T02:05:00.000Z' : '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus:9090/graph',
    fingerprint,
  };
}

function payload(status: 'firing' | 'resolved', alerts: unknown[]) {
  return { version: '4', groupKey: '{}:{alertname="RoomInfoLatencyHigh"}', truncatedAlerts: 0, status, receiver: 'live-assure', groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://alertmanager:9093', alerts };
}

describe('live-assure watch (binary)', { timeout: 30_000 }, () => {
  it('links firing alerts to their SOPs, flags the unlinked, rejects bad requests, and records the session', async () => {
    const out = join(dir, 'run');
    const watch = spawnCli(['watch', '--sops', 'sops', '--listen', '127.0.0.1:0', '--token', 'hook-token', '--out', out, '--json']);
    for (let waited = 0; !watch.output().includes('"webhook"') && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    const banner = JSON.parse(watch.output().split('\n').find((line) => line.includes('"webhook"')) ?? '{}') as { webhook: string; sops: number };
    expect(banner.sops).toBe(3);
    const post = (body: unknown, headers: Record<string, string> = { authorization: 'Bearer hook-token' }) =>
      fetch(banner.webhook, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

    const room = alert('firing', { alertname: 'RoomInfoLatencyHigh', service: 'room-svc' }, 'aaa1');
    const stray = alert('firing', { alertname: 'DiskFull', instance: 'db-3' }, 'bbb2');
    expect((await post(payload('firing', [room, stray]))).status).toBe(200);
    // Alertmanager re-sends on group_interval: no new event.
    expect((await post(payload('firing', [room]))).status).toBe(200);
    expect((await post(payload('resolved', [alert('resolved', { alertname: 'RoomInfoLatencyHigh', service: 'room-svc' }, 'aaa1')]))).status).toBe(200);
    expect((await post(payload('firing', []), {})).status).toBe(401);
    expect((await post('{not json')).status).toBe(400);
    const wrongVersion = await post({ ...payload('firing', []), version: '3' });
    expect(wrongVersion.status).toBe(400);
    expect(((await wrongVersion.json()) as { message: string }).message).toMatch(/version: "3" is not understood/);

    watch.kill('SIGINT');
    const result = await watch.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/FIRING +RoomInfoLatencyHigh \{service="room-svc"\} → SOP room-info-storage-latency \(by matchers\)/);
    expect(result.stderr).toMatch(/FIRING +DiskFull \{instance="db-3"\} → UNLINKED: no SOP answers it/);
    expect(result.stderr).toMatch(/RESOLVED +RoomInfoLatencyHigh/);
    const events = readFileSync(join(out, 'events.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { type: string; change?: string });
    expect(events.filter((event) => event.type === 'alert').map((event) => event.change)).toEqual(['firing', 'firing', 'resolved']);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))).toMatchObject({ kind: 'watch', accepted: 3, firing: 2, resolved: 1, sops_linked: ['room-info-storage-latency'], alerts_unlinked: ['DiskFull'] });
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'))).toMatchObject({ kind: 'watch', status: 'finished', exit_code: 0, ended_at: expect.stringMatching(/^20\d\d-/) });
    expect(readFileSync(join(out, 'manifest.json'), 'utf8')).not.toContain('hook-token');
  });
});
