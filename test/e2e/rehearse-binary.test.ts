import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli-process.js';

/** `live-assure rehearse` as CI runs it: the built binary, the embedded demo, the shipped SOP. */

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function outDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'la-rehearse-'));
  dirs.push(dir);
  return dir;
}

describe('live-assure rehearse (binary, embedded demo)', { timeout: 120_000 }, () => {
  it('rehearses the room-info SOP: detected, mitigated, rolled back, recovered; JUnit and journal written', async () => {
    const out = outDir();
    const junit = join(out, 'junit.xml');
    const result = await spawnCli(['rehearse', 'sops/room-info-storage-latency.yaml', '--out', join(out, 'run'), '--junit', junit, '--no-tui'], { timeoutMs: 120_000 }).done;
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/✓ precheck room-info\.p99<100ms/);
    expect(result.stdout).toMatch(/✓ detection room-info\.p99>250ms within 30s: detected after \d+(\.\d)?s/);
    expect(result.stdout).toMatch(/✓ verification\.degraded ≥95% of room-info: x-degraded: room-info-local-cache: \d+ of \d+ sampled room-info responses \(\d+(\.\d+)?%\) meet/);
    expect(result.stdout).toMatch(/↩ remove the fault[\s\S]*↩ undo: serve room info from the local cache/);
    expect(result.stdout).toMatch(/room-info-storage-latency: PASSED in \d+(\.\d)?s — TTD \d+(\.\d)?s, TTM \d+(\.\d)?s, TTR \d+(\.\d)?s/);
    expect(result.stdout).toMatch(/1 SOP rehearsed: 1 passed \(exit 0\); JUnit: /);

    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testsuite name="room-info-storage-latency" tests="\d+" failures="0" errors="0" skipped="0"/);
    expect(xml).toMatch(/<property name="ttd_ms" value="\d+"\/>/);
    expect(xml).toMatch(/<property name="ttr_ms" value="\d+"\/>/);
    for (const classname of ['precheck', 'trigger', 'detection', 'mitigation', 'verification.degraded', 'rollback', 'verification.recovered']) {
      expect(xml).toContain(`classname="room-info-storage-latency.${classname}"`);
    }

    const journal = JSON.parse(readFileSync(join(out, 'run', 'journal.json'), 'utf8')) as { status: string; timeline: Record<string, number>; timings: Record<string, number | null> };
    expect(journal.status).toBe('passed');
    const { injected, detected, mitigationStarted, mitigated, faultRemoved, recovered } = journal.timeline;
    expect([injected, detected, mitigationStarted, mitigated, faultRemoved, recovered].every((value) => typeof value === 'number')).toBe(true);
    expect(injected!).toBeLessThanOrEqual(detected!);
    expect(detected!).toBeLessThanOrEqual(mitigationStarted!);
    expect(mitigationStarted!).toBeLessThanOrEqual(mitigated!);
    expect(faultRemoved!).toBeLessThanOrEqual(recovered!);
    const manifest = JSON.parse(readFileSync(join(out, 'run', 'manifest.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({ kind: 'rehearsal', status: 'finished', exit_code: 0 });
    expect(readFileSync(join(out, 'run', 'events.ndjson'), 'utf8')).toMatch(/"type":"rehearsal-milestone".*"milestone":"detected"/);
    expect(readFileSync(join(out, 'run', 'intervals.ndjson'), 'utf8').split('\n').length).toBeGreaterThan(20);
  });

  it('--dry-run prints the resolved timeline and touches nothing', async () => {
    const result = await spawnCli(['rehearse', 'sops/room-info-storage-latency.yaml', '--dry-run']).done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('room-info-storage-latency (sops/room-info-storage-latency.yaml): Room info falls back to the local cache when room storage is slow');
    expect(result.stdout).toMatch(/inject +latency toxic on proxy store \(downstream latency=300 jitter=20\)/);
    expect(result.stdout).toMatch(/detect +room-info\.p99>250ms within 30s/);
    expect(result.stdout).toMatch(/mitigate +1\. serve room info from the local cache: PUT \/admin\/flags\/room-info-local-cache, expect 200 \(undo: PUT/);
    expect(result.stdout).toMatch(/rollback +remove the fault, then undo in reverse: serve room info from the local cache/);
    expect(result.stdout).toContain('1 SOP valid; nothing was run (--dry-run)');
  });

  it('refuses an invalid SOP with located errors and exit 2, before anything runs', async () => {
    const dir = outDir();
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, readFileSync('sops/room-info-storage-latency.yaml', 'utf8').replace('within: 30s', 'within: soon'));
    const result = await spawnCli(['rehearse', file]).done;
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/bad\.yaml:\d+:\d+ detection\.within: /);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses, before anything runs, a toxic on a proxy the demo platform does not have', async () => {
    const dir = outDir();
    const file = join(dir, 'stor.yaml');
    writeFileSync(file, readFileSync('sops/room-info-storage-latency.yaml', 'utf8').replace('proxy: store,', 'proxy: stor,').replace('../scenarios/demo.yaml', join(process.cwd(), 'scenarios/demo.yaml')));
    const result = await spawnCli(['rehearse', file, '--dry-run']).done;
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/trigger\.toxic\.proxy "stor" is not a fault proxy of the demo platform \(did you mean "store"\?\)/);
  });

  it('refuses a toxic trigger on --target without a fault proxy to put it in', async () => {
    const result = await spawnCli(['rehearse', 'sops/room-info-storage-latency.yaml', '--target', 'http://127.0.0.1:1']).done;
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/its trigger is a toxic, and on --target it needs a fault proxy/);
  });
});
