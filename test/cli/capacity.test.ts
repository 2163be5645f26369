import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/test-io.js';

const fixtures = fileURLToPath(new URL('../fixtures/usl/', import.meta.url));
const erlang = (...flags: string[]) => runCli(['capacity', 'erlang', ...flags]);
const usl = (...args: string[]) => runCli(['capacity', 'usl', ...args], { cwd: fixtures });

/** A usage or input error: exit 2, nothing on stdout, no stack trace. */
function expectCleanFailure(result: { code: number; stdout: string; stderr: string }): void {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).not.toMatch(/\n\s+at |internal error/);
}

describe('capacity erlang', () => {
  it('prints exactly one JSON object with the sizing', async () => {
    const result = await erlang('--rate', '100', '--service-ms', '180', '--wait-ms', '20', '--quantile', '0.8', '--json');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    const json: unknown = JSON.parse(result.stdout);
    expect(json).toMatchObject({ instances: 22, offered_load: 18, rate: 100, service_ms: 180, wait_ms: 20, quantile: 0.8 });
    expect(json).toHaveProperty('p_wait');
    expect(json).toHaveProperty('p_exceed');
    expect(json).toHaveProperty('utilization');
    expect(json).toHaveProperty('wait_ms_mean');
    expect(json).toHaveProperty('wait_ms_quantile');
  });

  it('reproduces the pyworkforce example (A = 10, 80 % within 0.11 × AHT) through the CLI', async () => {
    // pyworkforce tests: 100 calls / 30 min, AHT 3 min, asa 0.33 min → 14 positions, P(wait) 0.174, SL 0.888.
    const result = await erlang('--rate', '10', '--service-ms', '1_000', '--wait-ms', '110', '--quantile', '80%', '--json');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { instances: number; p_wait: number; p_exceed: number; utilization: number };
    expect(json.instances).toBe(14);
    expect(json.p_wait).toBeCloseTo(0.174, 3);
    expect(1 - json.p_exceed).toBeCloseTo(0.888, 3);
    expect(json.utilization).toBeCloseTo(0.714, 3);
  });

  it('prints aligned human-readable lines', async () => {
    const result = await erlang('--rate', '100', '--service-ms', '180', '--wait-ms', '20', '--quantile', '0.8');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('M/M/c sizing: 100 req/s × 180 ms = 18 erlangs offered; budget: p80 queueing delay ≤ 20 ms');
    expect(lines.slice(1).map((line) => line.trim().split(/\s{2,}/)[0])).toEqual([
      'instances',
      'probability of waiting',
      'P(wait > 20 ms)',
      'utilisation',
      'mean wait',
      'p80 wait',
    ]);
    expect(lines[1]).toMatch(/^ {2}instances {2,}22$/);
    // Every value starts in the same column, after the longest label and two spaces.
    const valueColumn = (line: string): number | undefined => /^ {2}\S.*?\S {2,}/.exec(line)?.[0].length;
    expect(new Set(lines.slice(1).map(valueColumn))).toEqual(new Set(['probability of waiting'.length + 4]));
  });

  it('uses the default quantile 0.99 and accepts 99.9%', async () => {
    const byDefault = JSON.parse((await erlang('--rate', '50', '--service-ms', '40', '--wait-ms', '5', '--json')).stdout) as { quantile: number };
    expect(byDefault.quantile).toBe(0.99);
    const percent = JSON.parse((await erlang('--rate', '50', '--service-ms', '40', '--wait-ms', '5', '--quantile', '99.9%', '--json')).stdout) as { quantile: number };
    expect(percent.quantile).toBeCloseTo(0.999, 12);
  });

  it('needs no instances for zero traffic', async () => {
    const result = await erlang('--rate', '0', '--service-ms', '40', '--wait-ms', '5', '--json');
    expect(JSON.parse(result.stdout)).toMatchObject({ instances: 0, p_wait: 0 });
  });

  it.each([
    [['--rate', 'abc'], '--rate: expected a number ≥ 0, got "abc"'],
    [['--rate', '1__000'], '--rate: expected a number ≥ 0, got "1__000"'],
    [['--rate', '1e999'], '--rate: expected a number ≥ 0, got "1e999"'],
    [['--service-ms', '0'], '--service-ms: expected a positive number, got "0"'],
    [['--wait-ms', '-1'], '--wait-ms: expected a number ≥ 0, got "-1"'],
    [['--workers', '0'], '--workers: expected a whole number ≥ 1, got "0"'],
    [['--workers', '2.5'], '--workers: expected a whole number ≥ 1, got "2.5"'],
    [['--workers', '200_000'], '--workers: must be at most 100000, got 200000'],
    [['--quantile', '1'], '--quantile: expected a quantile between 0 and 1 exclusive (e.g. 0.99 or 99%), got "1"'],
    [['--quantile', '100%'], '--quantile: expected a quantile between 0 and 1 exclusive (e.g. 0.99 or 99%), got "100%"'],
    [['--quantile', '0.9x'], '--quantile: expected a quantile between 0 and 1 exclusive (e.g. 0.99 or 99%), got "0.9x"'],
  ])('rejects %j with one line naming the flag', async (bad, message) => {
    const flags: Record<string, string> = { '--rate': '100', '--service-ms': '180', '--wait-ms': '20' };
    const [flag = '', value = ''] = bad;
    flags[flag] = value;
    const result = await erlang(...Object.entries(flags).flat());
    expectCleanFailure(result);
    expect(result.stderr).toBe(`live-assure: ${message}\n`);
  });

  it('rejects an absurd offered load as a usage error, not a hang', async () => {
    const result = await erlang('--rate', '1e9', '--service-ms', '1e6', '--wait-ms', '1');
    expectCleanFailure(result);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toBe('live-assure: --rate × --service-ms: offered load of 1000000000000 erlangs is beyond 100000000; check their units\n');
  });

  it('says "1 erlang", not "1 erlangs"', async () => {
    const result = await erlang('--rate', '100', '--service-ms', '10', '--wait-ms', '5');
    expect(result.stdout).toMatch(/^M\/M\/c sizing: 100 req\/s × 10 ms = 1 erlang offered;/);
  });

  it('with --workers, sizes instances behind a load balancer, each its own M/M/k queue', async () => {
    const flags = ['--rate', '1000', '--service-ms', '10', '--wait-ms', '40', '--quantile', '0.99'];
    const json = await erlang(...flags, '--workers', '2', '--json');
    expect(json.code).toBe(0);
    const sized = JSON.parse(json.stdout) as { instances: number; workers: number; utilization: number; p_exceed: number };
    expect(sized).toMatchObject({ workers: 2, offered_load: 10, rate: 1000 });
    // Each instance is an M/M/2 queue at 1000/n req/s; n is the smallest that keeps P(wait > 40 ms) ≤ 1 %.
    expect(sized.utilization).toBeCloseTo(10 / (2 * sized.instances), 12);
    expect(sized.p_exceed).toBeLessThanOrEqual(0.01);
    const human = await erlang(...flags, '--workers', '2');
    const lines = human.stdout.split('\n');
    expect(lines[0]).toBe(
      'M/M/2 per instance (2 workers each, behind a load balancer): 1000 req/s × 10 ms = 10 erlangs offered; budget: p99 queueing delay ≤ 40 ms',
    );
    expect(lines[1]).toBe(`  instances               ${sized.instances}`);
    // One worker each is the shared queue of the default, output and all.
    const single = await erlang(...flags, '--workers', '1', '--json');
    expect(single.stdout).toBe((await erlang(...flags, '--json')).stdout);
    expect(JSON.parse(single.stdout)).not.toHaveProperty('workers');
  });
});

describe('capacity usl', () => {
  it('fits specsdm91 and prints σ, κ, λ, the peak and R²', async () => {
    const result = await usl('specsdm91.csv');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('USL fit to 7 points from specsdm91.csv');
    expect(result.stdout).toMatch(/σ \(contention\) +0\.02773\n/);
    expect(result.stdout).toMatch(/κ \(coherency\) +0\.0001044\n/);
    expect(result.stdout).toMatch(/λ \(X at N = 1\) +90\n/);
    expect(result.stdout).toMatch(/peak +X ≈ 1884 at N ≈ 96\.5\n/);
    expect(result.stdout).toMatch(/R² +0\.9896\n/);
  });

  it('gives --json with the keys of the contract', async () => {
    const result = await usl('specsdm91.csv', '--json');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['sigma', 'kappa', 'lambda', 'peak', 'amdahl_ceiling', 'r2', 'points', 'warnings']);
    expect(json).toMatchObject({ amdahl_ceiling: null, points: 7, warnings: [] });
    expect((json.peak as { concurrency: number }).concurrency).toBeCloseTo(96.52, 2);
  });

  it('answers --at-throughput with the pre-peak concurrency', async () => {
    const result = await usl('cisco.csv', '--at-throughput', '11_048', '--json');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { concurrency: number; at_throughput: number; sigma: number };
    expect(json.at_throughput).toBe(11048);
    expect(json.concurrency).toBeCloseTo(19.92, 2);
    expect(json.sigma).toBeCloseTo(0.02671591, 5); // the swapped header was honoured
    const human = await usl('cisco.csv', '--at-throughput', '11048');
    expect(human.stdout).toMatch(/N for X = 11048 +19\.92 \(20 concurrent\)\n/);
  });

  it('exits 1 when the throughput is beyond the peak', async () => {
    const human = await usl('specsdm91.csv', '--at-throughput', '2500');
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/N for X = 2500 +unreachable: above the peak \(X ≈ 1884 at N ≈ 96\.5\)\n/);
    const json = await usl('specsdm91.csv', '--at-throughput', '2500', '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      at_throughput: 2500,
      concurrency: null,
      unreachable: 'above the peak (X ≈ 1884 at N ≈ 96.5)',
    });
    const reachable = JSON.parse((await usl('specsdm91.csv', '--at-throughput', '1000', '--json')).stdout) as Record<string, unknown>;
    expect(Object.keys(reachable)).toEqual(['sigma', 'kappa', 'lambda', 'peak', 'amdahl_ceiling', 'r2', 'points', 'at_throughput', 'concurrency', 'unreachable', 'warnings']);
    expect(reachable.unreachable).toBeNull();
  });

  it('handles a flat curve (σ = 1): one request in flight up to X(1), unreachable above it', async () => {
    const half = await usl('flat.csv', '--at-throughput', '50');
    expect(half.code).toBe(0);
    expect(half.stdout).toMatch(/peak +X ≈ 100 at N ≈ 1\n/);
    expect(half.stdout).toMatch(/N for X = 50 +1 \(1 concurrent\)\n/);
    const measured = await usl('flat.csv', '--at-throughput', '100', '--json');
    expect(measured.code).toBe(0);
    expect(JSON.parse(measured.stdout)).toMatchObject({ sigma: 1, amdahl_ceiling: null, concurrency: 1, unreachable: null });
    const above = await usl('flat.csv', '--at-throughput', '101');
    expect(above.code).toBe(1);
    expect(above.stdout).toMatch(/N for X = 101 +unreachable: above the peak \(X ≈ 100 at N ≈ 1\)\n/);
  });

  it('reports the Amdahl ceiling when κ = 0 (raytracer, whitespace-separated)', async () => {
    const result = await usl('raytracer.csv', '--json');
    const json = JSON.parse(result.stdout) as { kappa: number; peak: unknown; amdahl_ceiling: number; lambda: number; sigma: number };
    expect(json.kappa).toBe(0);
    expect(json.peak).toBeNull();
    expect(json.amdahl_ceiling).toBeCloseTo(json.lambda / json.sigma, 9);
    const human = await usl('raytracer.csv', '--at-throughput', '400');
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/Amdahl ceiling +X → 378\.2 \(λ\/σ; κ = 0, no peak\)\n/);
    expect(human.stdout).toContain('unreachable: at or above the Amdahl ceiling X → 378.2');
  });

  it('warns on stderr with fewer than 6 points, and in "warnings" with --json', async () => {
    const human = await usl('few-points.csv');
    expect(human.code).toBe(0);
    expect(human.stderr).toMatch(/^warning: only 4 points: .*at least 6/);
    const json = await usl('few-points.csv', '--json');
    expect(json.stderr).toBe('');
    expect((JSON.parse(json.stdout) as { warnings: string[] }).warnings).toHaveLength(1);
  });

  it('reports every bad row at once, located', async () => {
    const result = await usl('bad-rows.csv');
    expectCleanFailure(result);
    expect(result.stderr).toContain('bad-rows.csv:3:1 concurrency: expected a number > 0, got "two"');
    expect(result.stderr).toContain('bad-rows.csv:4:3 throughput: expected a number ≥ 0, got "-5"');
    expect(result.stderr).toContain('bad-rows.csv:5:1 row 4: expected 2 values (concurrency, throughput), got 1');
    expect(result.stderr).toContain('bad-rows.csv:6:8 row 5: expected 2 values (concurrency, throughput), got 3');
    expect(result.stderr).toContain('bad-rows.csv:7:4 throughput: expected a number ≥ 0, got "abc"');
    expect(result.stderr).toMatch(/^hint: /m);
  });

  it('explains too few distinct concurrencies', async () => {
    const result = await usl('two-levels.csv');
    expectCleanFailure(result);
    expect(result.stderr).toContain('two-levels.csv:1:1 the USL needs measurements at 3 or more distinct concurrencies, found 2');
  });

  it('says it cannot read a missing file, without a stack', async () => {
    const result = await usl('missing.csv');
    expectCleanFailure(result);
    expect(result.stderr).toBe('live-assure: missing.csv:1:1 cannot read the measurements: no such file\n');
  });

  it('rejects a bad --at-throughput before reading anything', async () => {
    const result = await usl('missing.csv', '--at-throughput', 'lots');
    expectCleanFailure(result);
    expect(result.stderr).toBe('live-assure: --at-throughput: expected a positive number, got "lots"\n');
  });
});
