import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoPlatform, type DemoPlatform } from '../../src/demo/demo-platform.js';
import { createFaultProxies } from '../../src/faults/fault-proxies.js';
import type { FaultProxySet } from '../../src/faults/proxy-model.js';
import { startToxiproxyApi, type ToxiproxyApi } from '../../src/faults/toxiproxy-api.js';
import { spawnCli } from '../helpers/cli-process.js';
import { usePrivateRedis } from '../helpers/redis-server.js';

/**
 * A rehearsal on "your own" platform: its Redis behind a proxy that a Toxiproxy API drives
 * (`--toxiproxy`), as a user with a real toxiproxy-server in front of their store would run it.
 */

const TOKEN = 'rehearsal-toxiproxy-token';
const redis = usePrivateRedis();
let proxies: FaultProxySet;
let api: ToxiproxyApi;
let demo: DemoPlatform;
let out: string;
beforeAll(async () => {
  proxies = createFaultProxies({ seed: 3 });
  const store = await proxies.create({ name: 'store', listen: '127.0.0.1:0', upstream: `127.0.0.1:${redis.port}` });
  api = await startToxiproxyApi(proxies, { host: '127.0.0.1', port: 0 });
  demo = await startDemoPlatform({ port: 0, adminToken: TOKEN, redisUrl: `redis://${store.listen}` });
  out = mkdtempSync(join(tmpdir(), 'la-rehearse-toxiproxy-'));
});
afterAll(async () => {
  await demo?.close();
  await api?.close();
  await proxies?.close();
  rmSync(out, { recursive: true, force: true });
});

describe('live-assure rehearse --target --toxiproxy', { timeout: 90_000 }, () => {
  it('puts the toxic in through the Toxiproxy API, sees it, mitigates, and takes it out again', async () => {
    const result = await spawnCli(['rehearse', 'test/fixtures/sops/store-latency-via-toxiproxy.yaml', '--target', demo.gatewayUrl, '--toxiproxy', api.url, '--out', join(out, 'run'), '--no-tui'], {
      env: { LIVE_ASSURE_ADMIN_TOKEN: TOKEN },
      timeoutMs: 80_000,
    }).done;
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/✓ detection load\.p99>150ms within 10s: detected after/);
    expect(result.stdout).toMatch(/✓ verification\.degraded ≥95% of load: x-degraded: room-info-local-cache/);
    // The toxic is gone from the proxy, and the switch is back off.
    const proxy = (await (await fetch(`${api.url}/proxies/store`)).json()) as { toxics: unknown[] };
    expect(proxy.toxics).toEqual([]);
    expect(demo.flags.isOn('room-info-local-cache')).toBe(false);
    const journal = JSON.parse(readFileSync(join(out, 'run', 'journal.json'), 'utf8')) as { timings: { ttd_ms: number | null; ttr_ms: number | null } };
    expect(journal.timings.ttd_ms).not.toBeNull();
    expect(journal.timings.ttr_ms).not.toBeNull();
  });
});
