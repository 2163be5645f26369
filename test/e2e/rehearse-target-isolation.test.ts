import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli-process.js';
import { startDemo, type DemoUnderTest } from '../helpers/demo-client.js';
import { usePrivateRedis } from '../helpers/redis-server.js';

/** A --target rehearsal whose load writes: the same isolation as a load test, before, during and after. */

const TOKEN = 'rehearsal-isolation-token';
const redis = usePrivateRedis();
let demo: DemoUnderTest;
let out: string;
beforeAll(async () => {
  demo = await startDemo({ redisUrl: redis.url, adminToken: TOKEN });
  out = mkdtempSync(join(tmpdir(), 'la-rehearse-isolation-'));
});
afterAll(async () => {
  await demo?.close();
  rmSync(out, { recursive: true, force: true });
});

describe('live-assure rehearse --target with a writing scenario load', { timeout: 90_000 }, () => {
  it('proves the writes isolated before the load, cleans up after, and reports both as checks', async () => {
    const junit = join(out, 'junit.xml');
    const result = await spawnCli(['rehearse', 'test/fixtures/sops/scenario-load-on-target.yaml', '--target', demo.platform.gatewayUrl, '--shadow-redis', redis.url, '--out', join(out, 'run'), '--junit', junit, '--no-tui'], {
      env: { LIVE_ASSURE_ADMIN_TOKEN: TOKEN },
      timeoutMs: 80_000,
    }).done;
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/shadow preflight: 3 write steps proven isolated, fails closed/);
    expect(result.stdout).toMatch(/shadow cleanup: [1-9][\d,]* keys under "shadow:" deleted/);
    expect(await redis.raw.keys('shadow:*')).toEqual([]);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testcase classname="scenario-load-on-target.isolation" name="audit"/);
    expect(xml).toMatch(/<testcase classname="scenario-load-on-target.isolation" name="cleanup"/);
    expect(demo.platform.flags.isOn('gift-effects-off')).toBe(false);
  });
});
