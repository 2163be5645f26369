import { describe, expect, test } from 'vitest';
import { main } from '../../src/cli.js';
import { createTestIo, runCli } from '../helpers/test-io.js';

describe('live-assure plan', () => {
  test('a scenario that holds exits 0 with the table and the verdict', async () => {
    const { code, stdout, stderr } = await runCli(['plan', 'scenarios/demo.yaml']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/service\s+│\s+peak QPS\s+│\s+at\s+│\s+capacity each\s+│\s+needed\s+│\s+have\s+│\s+gap\s+│\s+fixed\/elastic\s+│\s+risk/);
    expect(stdout).toMatch(/│ gift-svc\s+│\s+108 │\s+24m │/);
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('HOLDS: every service has capacity at its forecast peak');
  });

  test('it shows what loadtest will send for the scenario\'s load section, as JSON too', async () => {
    const { stdout } = await runCli(['plan', 'scenarios/demo.yaml']);
    expect(stdout).toMatch(/^loadtest: 29\.9 journeys\/s at level 1 \(forecast peaks × scale 0\.1\), peak 59\.7\/s, 1m, about 1,792 arrivals \(poisson\)$/m);
    expect(stdout).toMatch(/^ {2}mix: enter-room 28%, browse 5\.6%, send-danmaku 48%, send-gift 18%$/m);
    const json = JSON.parse((await runCli(['plan', 'scenarios/demo.yaml', '--json'])).stdout) as { load: { scheduled_arrivals: number; mix: unknown[] } };
    expect(json.load.scheduled_arrivals).toBe(1792);
    expect(json.load.mix).toHaveLength(4);
  });

  test('gaps and hot keys exit 1 and are named with their remedy', async () => {
    const { code, stdout } = await runCli(['plan', 'scenarios/s-final.yaml']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/│ wallet-svc\s+│\s+32,400 │\s+3h │\s+1,500\/instance │ 36 \(headroom\) │\s+20 \+ 6 │ \+10 │ short\s+│ GAP/);
    expect(stdout).toMatch(/│ lottery-svc\s+│.*│ 110 \(latency\) │/);
    expect(stdout).toContain(
      'hot key (warning): room-redis: the node holding room 7734 serves 106,167 of its 120,000 QPS — 99,000 for room 7734 alone ' +
        '(55.0% of requests keyed by room), the rest spread over 12 nodes. ' +
        'Remedy: put a local hot-key cache tier in front of room-redis for room 7734 (≥ 34.6% hits on it), or split the key.',
    );
    expect(stdout.trimEnd().split('\n').at(-1)).toBe(
      'AT RISK: gift-svc short by 4 instances; wallet-svc short by 10 instances; hot key room 7734 on room-redis; ' +
        'hot key room 7734 on danmaku-redis (5 services on the elastic pool: pre-scale before the peak)',
    );
  });

  test('--json prints the whole plan and nothing else', async () => {
    const { code, stdout } = await runCli(['plan', 'scenarios/s-final.yaml', '--json']);
    expect(code).toBe(1);
    const plan: unknown = JSON.parse(stdout);
    expect(plan).toMatchObject({
      scenario: 's-final',
      headroom: 0.4,
      peak_viewers: 3_000_000,
      verdict: { holds: false },
      hot_keys: expect.arrayContaining([expect.objectContaining({ service: 'room-redis', value: 7734 })]),
      services: expect.arrayContaining([
        expect.objectContaining({ name: 'gift-svc', peak_qps: 27_000, at_ms: 10_800_000, needed: 18, gap: 4, pool: 'short' }),
      ]),
    });
  });

  test('an invalid or missing scenario exits 2 with a located line and a hint, no stack', async () => {
    const missing = await runCli(['plan', 'nowhere.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      'live-assure: nowhere.yaml:1:1 cannot read the scenario: no such file\n',
    );
    const invalid = await runCli(['plan', 'test/fixtures/invalid-scenarios/several-defects.yaml']);
    expect(invalid.code).toBe(2);
    const lines = invalid.stderr.trimEnd().split('\n');
    expect(lines.slice(0, 4).every((line) => line.startsWith('test/fixtures/invalid-scenarios/several-defects.yaml:'))).toBe(true);
    expect(lines[4]).toBe('live-assure: 4 problems in test/fixtures/invalid-scenarios/several-defects.yaml');
    expect(invalid.stderr).toMatch(/^hint: `live-assure validate <file>` checks a scenario without running anything/m);
    expect(invalid.stderr).not.toMatch(/^\s+at /m);
    const directory = await runCli(['plan', 'scenarios']);
    expect(directory.stderr).toMatch(/^live-assure: scenarios:1:1 cannot read the scenario: it is a directory$/m);
  });

  test('--debug adds the stack to a known error', async () => {
    const { code, stderr } = await runCli(['plan', 'nowhere.yaml', '--debug']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^\s+at /m);
  });
});

describe('the error boundary', () => {
  test('an unknown error prints its stack, asks to be reported and exits 70', async () => {
    const io = createTestIo();
    const broken = { ...io, stdout: { write: () => { throw new TypeError('stdout is gone'); } } };
    const code = await main(['plan', 'scenarios/demo.yaml'], broken);
    expect(code).toBe(70);
    expect(io.err()).toMatch(/^live-assure: internal error\nTypeError: stdout is gone\n\s+at /);
    expect(io.err()).toMatch(/This is a bug in live-assure \d+\.\d+\.\d+\. Please report it/);
  });

  test('usage errors exit 2; help and version exit 0', async () => {
    expect((await runCli(['plan'])).code).toBe(2);
    expect((await runCli(['frobnicate'])).code).toBe(2);
    expect((await runCli(['plan', 'scenarios/demo.yaml', '--nope'])).stderr).toMatch(/unknown option '--nope'/);
    const version = await runCli(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: '0.1.0\n' });
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/validate .*\n[\s\S]*plan .*\n[\s\S]*capacity/);
  });
});
