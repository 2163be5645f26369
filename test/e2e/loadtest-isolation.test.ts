import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli-process.js';
import { startDemo, type DemoUnderTest } from '../helpers/demo-client.js';
import { startLeakyTarget, type LeakyTarget } from '../helpers/leaky-target.js';
import { freePort, startRedis, type TestRedis } from '../helpers/redis-server.js';

/**
 * Write isolation as a user meets it: the built binary load-testing real loopback targets that
 * keep their data in a real Redis — one that honours the shadow tag, and ones that leak.
 */

const LEAKY = 'test/fixtures/scenarios/leaky.yaml';
let redis: TestRedis;
const targets: LeakyTarget[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  await Promise.all(targets.splice(0).map((target) => target.close()));
  await redis.raw.flushall();
});
afterAll(async () => {
  await redis.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function runDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'la-isolation-'));
  dirs.push(dir);
  return join(dir, 'run');
}

async function target(options: Parameters<typeof startLeakyTarget>[1] = {}): Promise<LeakyTarget> {
  const started = await startLeakyTarget(redis.url, options);
  targets.push(started);
  return started;
}

function summaryOf(dir: string): Record<string, unknown> & { shadow: Record<string, unknown> } {
  return JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
}

async function until(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  for (let waited = 0; !check() && waited < timeoutMs; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('loadtest proves write isolation', () => {
  it('catches a route that ignores the tag in preflight, before any load is sent', async () => {
    const leaky = await target({ leakyRoutes: ['/like'] });
    const out = runDir();
    const run = await spawnCli(['loadtest', LEAKY, '--target', leaky.url, '--no-tui', '--workers', '1', '--out', out], { env: { LEAKY_REDIS_URL: redis.url } }).done;
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toMatch(/shadow preflight: FAILED: like-add \(journey like\): LEAK: the probe's 91\d{8} reached production key likes:\d \(set member\)/);
    expect(run.stdout).toMatch(/shadow preflight: note-add: probe la~.+ found in shadow:notes:\d \(list element/);
    expect(run.stdout).toMatch(/no load was sent/);
    // The audit reads the probes' values again: the leaked id is a production hit, left for a person to remove.
    expect(run.stdout).toMatch(/shadow audit: FAILED: 1 PRODUCTION HIT — like-add wrote 91\d{8} into production key likes:\d \(set, set member\) of store main: .*never deletes production data/);
    // One probe per write step reached the target: nothing else.
    expect([...leaky.seen.tagged.values()].reduce((sum, n) => sum + n, 0)).toBe(2);
    const summary = summaryOf(out);
    expect(summary.requests).toBe(0);
    expect(summary.shadow.preflight).toMatchObject({ ok: false });
    // The probes' shadow data is cleaned up even so.
    expect(await redis.raw.keys('shadow:*')).toEqual([]);
  });

  it('says the target is down (exit 3) when nothing answers the probes', async () => {
    const run = await spawnCli(['loadtest', LEAKY, '--target', `http://127.0.0.1:${await freePort()}`, '--no-tui', '--out', runDir()], { env: { LEAKY_REDIS_URL: redis.url } }).done;
    expect(run.code, run.stdout + run.stderr).toBe(3);
    expect(run.stdout).toMatch(/note-add got no answer: ECONNREFUSED/);
    expect(run.stdout).toMatch(/the target never answered \(is it running at http:\/\/127\.0\.0\.1:\d+\/\?\): no load was sent/);
  });

  it('aborts a run whose target starts leaking mid-run (exit 4), with the evidence', async () => {
    const leaky = await target({ leakAfterTagged: 60 });
    const out = runDir();
    const started = Date.now();
    const run = await spawnCli(['loadtest', LEAKY, '--target', leaky.url, '--no-tui', '--workers', '1', '--out', out], { env: { LEAKY_REDIS_URL: redis.url } }).done;
    expect(run.code, run.stdout + run.stderr).toBe(4);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(run.stdout).toMatch(/ABORTED: shadow leak: (note-add|like-add) wrote \S+ into production key (notes|likes):\d/);
    const summary = summaryOf(out);
    expect(summary.verdict).toBe('aborted');
    expect(String((summary.abort as { expr: string }).expr)).toMatch(/^shadow leak: /);
    expect(summary.shadow.sentinel_hits).toBeGreaterThan(0);
    expect(summary.shadow.audit).toMatchObject({ production_hits: expect.any(Number) });
    expect(summary.shadow.cleanup).toMatchObject({ stores: [{ store: 'main', prefix: 'shadow:' }] });
    expect(await redis.raw.keys('shadow:*')).toEqual([]);
  });

  it('still audits and cleans up after Ctrl-C (exit 130)', async () => {
    const honest = await target();
    const out = runDir();
    const cli = spawnCli(['loadtest', LEAKY, '--target', honest.url, '--no-tui', '--workers', '1', '--out', out], { env: { LEAKY_REDIS_URL: redis.url } });
    await until(() => /5s\/20s/.test(cli.output()));
    expect(await redis.raw.keys('shadow:*')).not.toEqual([]);
    cli.kill('SIGINT');
    const run = await cli.done;
    expect(run.code, run.stdout + run.stderr).toBe(130);
    expect(run.stdout).toMatch(/shadow audit: 0 production hits/);
    expect(run.stdout).toMatch(/shadow cleanup: \d+ keys under "shadow:" deleted from main/);
    expect(await redis.raw.keys('shadow:*')).toEqual([]);
    expect(summaryOf(out).stop_reason).toBe('interrupted');
  });

  it('stops probing on Ctrl-C during preflight, still cleans up, and sends no load (exit 130)', async () => {
    const slow = await target({ delayMs: 1500 });
    const out = runDir();
    const cli = spawnCli(['loadtest', LEAKY, '--target', slow.url, '--no-tui', '--workers', '1', '--out', out], { env: { LEAKY_REDIS_URL: redis.url } });
    await until(() => /shadow preflight: probing 2 write steps/.test(cli.output()));
    cli.kill('SIGINT');
    const run = await cli.done;
    expect(run.code, run.stdout + run.stderr).toBe(130);
    expect(run.stdout).toMatch(/shadow preflight: FAILED: interrupted after 1 write step: no load was sent/);
    expect(run.stdout).toMatch(/shadow cleanup: \d+ keys? under "shadow:" deleted from main/);
    expect(run.stdout).toMatch(/verdict: FAIL \(interrupted during preflight: no load was sent\), exit 130/);
    expect([...slow.seen.tagged.values()].reduce((sum, n) => sum + n, 0)).toBe(1);
    expect(await redis.raw.keys('shadow:*')).toEqual([]);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'))).toMatchObject({ status: 'finished', exit_code: 130 });
  });

  it('exits 5 and says what is left when the shadow store goes away before cleanup', async () => {
    const lost = await startRedis();
    try {
      const honest = await startLeakyTarget(lost.url);
      targets.push(honest);
      const cli = spawnCli(['loadtest', LEAKY, '--target', honest.url, '--no-tui', '--workers', '1', '--duration', '4s', '--timeout', '1s'], { env: { LEAKY_REDIS_URL: lost.url } });
      await until(() => /loadtest leaky/.test(cli.output()));
      await lost.stop();
      const run = await cli.done;
      expect(run.code, run.stdout + run.stderr).toBe(5);
      expect(run.stdout).toMatch(/CLEANUP FAILED: main \(redis:\/\/127\.0\.0\.1:\d+\): .*; left behind: keys under "shadow:" in main: run `live-assure shadow cleanup --redis redis:\/\/127\.0\.0\.1:\d+ --prefix 'shadow:'`/);
      expect(run.stdout).toMatch(/verdict: .* — but SHADOW CLEANUP FAILED, exit 5/);
    } finally {
      await lost.stop().catch(() => undefined);
    }
  });
});

describe('writes whose isolation cannot be proven', () => {
  const unisolated = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'la-unisolated-'));
    dirs.push(dir);
    const file = join(dir, 'unisolated.yaml');
    writeFileSync(file, readFileSync(LEAKY, 'utf8').replace(/shadow:\n[\s\S]*$/, '').replace(/, writes: \[\{ redis: "[^"]+" \}\]/g, ', write: true'));
    return file;
  };

  it('are refused with exit 2 before anything is sent', async () => {
    const honest = await target();
    const run = await spawnCli(['loadtest', unisolated(), '--target', honest.url, '--no-tui'], { env: { LEAKY_REDIS_URL: redis.url } }).done;
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unisolated\.yaml: note-add and like-add write \(a step that is not a GET writes unless it says write: false\), but note-add and like-add declare no `writes:`, and the scenario declares no shadow.stores: isolation cannot be proven/);
    expect(run.stderr).toMatch(/--allow-unisolated-writes/);
    expect(honest.seen.tagged.size + honest.seen.untagged).toBe(0);
  });

  it('run with --allow-unisolated-writes, and every output says so', async () => {
    const honest = await target();
    const run = await spawnCli(['loadtest', unisolated(), '--target', honest.url, '--no-tui', '--duration', '2s', '--allow-unisolated-writes', '--json'], { env: { LEAKY_REDIS_URL: redis.url, FORCE_COLOR: '1' } }).done;
    expect([0, 1]).toContain(run.code);
    expect(run.stderr).toContain('\x1b[31mshadow unisolated: FAILED: note-add is load-tested without proven isolation');
    const summary = JSON.parse(run.stdout);
    expect(summary.shadow.unisolated).toEqual(['note-add', 'like-add']);
    expect(summary.shadow.preflight).toEqual({ skipped: 'no shadow.stores to look into (--allow-unisolated-writes)' });
  });
});

describe('the demo platform', () => {
  let demo: DemoUnderTest;
  beforeAll(async () => {
    demo = await startDemo({ redisUrl: redis.url });
  });
  afterAll(() => demo.close());

  it('passes preflight, sentinel and audit, and its shadow keys are gone afterwards', async () => {
    const out = runDir();
    const run = await spawnCli(['loadtest', 'scenarios/demo.yaml', '--target', demo.platform.gatewayUrl, '--shadow-redis', redis.url, '--duration', '6s', '--no-tui', '--out', out], {
      env: { LIVE_ASSURE_ADMIN_TOKEN: 'test-admin-token' },
    }).done;
    expect([0, 1], run.stdout + run.stderr).toContain(run.code);
    expect(run.stdout).toMatch(/✓ preflight: 3 write steps proven isolated, fails closed/);
    expect(run.stdout).toMatch(/✓ sentinel: 0 hits in [1-9]\d* checks/);
    expect(run.stdout).toMatch(/✓ audit: 0 production hits/);
    expect(run.stdout).toMatch(/✓ cleanup: [1-9][\d,]* keys under "shadow:" deleted from demo-redis/);
    expect(await redis.raw.keys('shadow:*')).toEqual([]);
    // Production keys hold nothing of the run: no shadow uid anywhere.
    for (const key of await redis.raw.keys('*')) expect(JSON.stringify(await redis.raw.dump(key))).not.toMatch(/9000\d{6}/);
    const events = readFileSync(join(out, 'events.ndjson'), 'utf8').split('\n').filter((line) => line.includes('"isolation"'));
    expect(events.map((line) => JSON.parse(line).check)).toEqual(expect.arrayContaining(['preflight', 'audit', 'cleanup']));
  });
});
