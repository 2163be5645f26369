import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoPlatform, type DemoPlatform } from '../../src/demo/demo-platform.js';
import { spawnCli } from '../helpers/cli-process.js';
import { usePrivateRedis } from '../helpers/redis-server.js';

/**
 * Rehearsals must fail when they must. Each runs the real binary against a demo platform this
 * test owns (`--target`), so the platform's state can be compared before and after.
 */

const TOKEN = 'rehearsal-test-token';
const redis = usePrivateRedis();
let demo: DemoPlatform;
const dirs: string[] = [];
beforeAll(async () => {
  demo = await startDemoPlatform({ port: 0, adminToken: TOKEN });
});
afterAll(async () => {
  await demo?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function outDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'la-rehearse-'));
  dirs.push(dir);
  return dir;
}

/** What rollback must restore: switches and faults, without their change times. */
async function platformState(): Promise<unknown> {
  const get = async (path: string): Promise<unknown> => (await fetch(`${demo.gatewayUrl}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
  const flags = (await get('/admin/flags')) as { flags: Array<Record<string, unknown>> };
  return { flags: flags.flags.map(({ changed_at: _changed, ...flag }) => flag), faults: await get('/admin/faults') };
}

function rehearse(sop: string, extra: string[] = []) {
  const out = outDir();
  const junit = join(out, 'junit.xml');
  const run = spawnCli(['rehearse', `test/fixtures/sops/${sop}.yaml`, '--target', demo.gatewayUrl, '--out', join(out, 'run'), '--junit', junit, '--no-tui', ...extra], {
    env: { LIVE_ASSURE_ADMIN_TOKEN: TOKEN, REHEARSAL_REDIS_URL: redis.url },
    timeoutMs: 90_000,
  });
  return { run, out, junit };
}

describe('live-assure rehearse, when the SOP does not hold', { timeout: 90_000 }, () => {
  it('fails verification (exit 1) when the switch acknowledges but changes nothing, and rolls it back', async () => {
    const before = await platformState();
    const { run, junit } = rehearse('no-op-switch');
    const result = await run.done;
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toMatch(/✗ verification\.degraded load\.p99<=2\*baseline: .*breaks <=2 × baseline/);
    expect(result.stdout).toMatch(/no-op-switch: FAILED/);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testcase classname="no-op-switch.verification.degraded" name="load.p99&lt;=2\*baseline"[^>]*>\s*<failure message="[^"]*window \d+s–\d+s of the load/);
    expect(xml).toMatch(/<testcase classname="no-op-switch.mitigation" name="turn gift effects off \(the wrong switch\)" time="[\d.]+">\s*<system-out>/);
    expect(xml).toMatch(/<testcase classname="no-op-switch.rollback" name="undo: turn gift effects off \(the wrong switch\)"/);
    expect(await platformState()).toEqual(before);
    // The admin token is a secret: nowhere in what the rehearsal printed or stored.
    expect(result.stdout + result.stderr + xml).not.toContain(TOKEN);
  });

  it('exits 5 when an undo fails, and says the platform may be left changed', async () => {
    const { run, out } = rehearse('failing-undo');
    const result = await run.done;
    expect(result.code, result.stdout + result.stderr).toBe(5);
    expect(result.stdout).toMatch(/✗ rollback undo: serve room info from the local cache: .*expected status 200, got 404/);
    expect(result.stdout).toMatch(/ROLLBACK FAILED/);
    const journal = JSON.parse(readFileSync(join(out, 'run', 'journal.json'), 'utf8')) as { status: string; exit_code: number; checks: Array<{ group: string; result: string }> };
    expect(journal).toMatchObject({ status: 'rollback-failed', exit_code: 5 });
    expect(journal.checks.filter((check) => check.group === 'verification.recovered').map((check) => check.result)).toEqual(['skipped']);
    // Put right by hand, as the operator would after exit 5.
    await fetch(`${demo.gatewayUrl}/admin/flags/room-info-local-cache`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: '{"on":false}' });
  });

  it('rolls back on Ctrl-C in the middle (exit 130) and skips what was not reached', async () => {
    const before = await platformState();
    const { run, out } = rehearse('no-op-switch');
    for (let waited = 0; !/✓ mitigation turn gift effects off/.test(run.output()) && waited < 30_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    run.kill('SIGINT');
    const result = await run.done;
    expect(result.code, result.stdout + result.stderr).toBe(130);
    expect(result.stdout).toMatch(/stopping: interrupted \(Ctrl-C\)/);
    expect(result.stdout).toMatch(/INTERRUPTED \(rolled back\)/);
    expect(await platformState()).toEqual(before);
    const journal = JSON.parse(readFileSync(join(out, 'run', 'journal.json'), 'utf8')) as { checks: Array<{ group: string; result: string; message: string }> };
    expect(journal.checks.filter((check) => check.group === 'rollback').map((check) => check.result)).toEqual(['passed', 'passed']);
    expect(journal.checks.find((check) => check.group === 'verification.recovered')).toMatchObject({ result: 'skipped', message: 'interrupted' });
  });

  it('aborts (exit 4) when an abort condition holds, and leaves the platform as it was', async () => {
    await redis.raw.set('degrade:room', 'off', 'PX', 600_000);
    const before = await platformState();
    const { run, out } = rehearse('abort-on-errors');
    const result = await run.done;
    expect(result.code, result.stdout + result.stderr).toBe(4);
    expect(result.stdout).toMatch(/stopping: abort condition errors\.rate>60% for 4s held/);
    expect(result.stdout).toMatch(/↩ undo: serve room info from the local cache/);
    expect(await platformState()).toEqual(before);
    expect(await redis.raw.get('degrade:room')).toBe('off');
    expect(await redis.raw.pttl('degrade:room')).toBeGreaterThan(500_000);
    const journal = JSON.parse(readFileSync(join(out, 'run', 'journal.json'), 'utf8')) as { status: string; timeline: Record<string, number> };
    expect(journal.status).toBe('aborted');
    expect(journal.timeline.faultRemoved).toBeGreaterThan(journal.timeline.injected ?? Infinity);
  });
});
