import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { exitCodeMeanings } from '../../src/exit-codes.js';
import { startDemo, type DemoUnderTest } from '../helpers/demo-client.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { runCli } from '../helpers/test-io.js';

const readme = readFileSync('README.md', 'utf8');

/** Every `live-assure …` line of the README's sh blocks, as argv. */
/** `sops/*.yaml` as the shell expands it (only `*` in the file name is used in the README). */
function expandGlob(arg: string): string[] {
  if (!arg.includes('*')) return [arg];
  const pattern = new RegExp(`^${arg.split('/').at(-1)?.replace(/\./g, '\\.').replace(/\*/g, '.*') ?? ''}$`);
  return readdirSync(dirname(arg)).filter((name) => pattern.test(name)).sort().map((name) => `${dirname(arg)}/${name}`);
}

function readmeCommands(): string[][] {
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
  return blocks
    .flatMap((block) => block.split('\n'))
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line.startsWith('live-assure '))
    .map((line) => [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((match) => match[1] ?? match[2] ?? match[3] ?? '').slice(1));
}

describe('the README stays true', () => {
  test('it opens with what live-assure is for and the two set-up commands', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const lines = firstBlock.trim().split('\n');
    expect(readme.indexOf('```sh')).toBeLessThan(1200);
    expect(lines[0]).toMatch(/^npm ci && npm run build && node bin\/live-assure\.js loadtest scenarios\/demo\.yaml/);
    expect(lines[1]).toMatch(/^npm ci && npm test\b/);
  });

  test('its exit-code table is the one in src/exit-codes.ts', () => {
    const rows = [...readme.matchAll(/^\| (\d+) \| (.+) \|$/gm)].map((match) => ({ code: Number(match[1]), meaning: match[2] }));
    expect(rows).toEqual(exitCodeMeanings.map(({ code, meaning }) => ({ code, meaning })));
  });

  const commands = readmeCommands();
  test('it shows commands', () => expect(commands.length).toBeGreaterThanOrEqual(6));

  // s-final is the night that does not hold: its plan is a finding (exit 1); everything else succeeds.
  // The recorded runs hold one rehearsal, so `sops lint` finds two SOPs never rehearsed (exit 1).
  const expectedCode = (argv: readonly string[]) => ((argv[0] === 'plan' && argv[1] === 'scenarios/s-final.yaml') || (argv[0] === 'sops' && argv[1] === 'lint') ? 1 : 0);
  // `demo` serves until Ctrl-C: it is stopped once its banner is out, on a free port and a private Redis.
  // Commands aimed at "a platform at 127.0.0.1:8080" get a demo on a free port; load runs are kept short.
  let redis: TestRedis | undefined;
  let demo: DemoUnderTest | undefined;
  let runs: string | undefined;
  beforeAll(async () => {
    if (commands.some((argv) => argv.includes('--redis') || argv.includes('--shadow-redis'))) redis = await startRedis();
    // The demo "in another terminal" keeps its data where `--shadow-redis` says, as the README tells.
    if (commands.some((argv) => argv.some((arg) => arg.includes('127.0.0.1:8080')))) demo = await startDemo(redis === undefined ? {} : { redisUrl: redis.url });
    runs = mkdtempSync(join(tmpdir(), 'la-readme-runs-'));
  });
  afterAll(async () => {
    await redis?.stop();
    await demo?.close();
    if (runs !== undefined) rmSync(runs, { recursive: true, force: true });
  });
  const shortened = (argv: string[], flag: string, value: string): string[] => {
    const index = argv.indexOf(flag);
    return index === -1 ? [...argv, flag, value] : argv.map((arg, at) => (at === index + 1 ? value : arg));
  };
  const forTest = (argv: readonly string[]): string[] => {
    const local = argv.map((arg, index) => (argv[index - 1] === '--shadow-redis' ? (redis?.url ?? arg) : arg.replace('http://127.0.0.1:8080', demo?.platform.gatewayUrl ?? 'http://127.0.0.1:8080')));
    if (local[0] === 'loadtest') return [...shortened(local, '--duration', '5s'), '--seed', '1', '--out', join(runs ?? tmpdir(), String(Math.random()).slice(2))];
    if (local[0] === 'probe') return shortened(local, '--step-duration', '1s');
    if (local[0] === 'report') return shortened(local, '--out', join(runs ?? tmpdir(), String(Math.random()).slice(2)));
    // A proxy on its documented port could meet another test's, or anything else on the machine.
    if (local[0] === 'proxy' || local[0] === 'watch') return shortened(local, '--listen', '127.0.0.1:0');
    // A rehearsal takes most of a minute per SOP: CI and test/e2e run them; here each is resolved and validated.
    if (local[0] === 'rehearse') return [...local.flatMap(expandGlob), ...(local.includes('--dry-run') ? [] : ['--dry-run'])];
    if (local[0] !== 'demo') return local;
    const demoArgs = local.map((arg, index) => (local[index - 1] === '--port' ? '0' : local[index - 1] === '--redis' ? (redis?.url ?? arg) : arg));
    return demoArgs.includes('--port') ? demoArgs : [...demoArgs, '--port', '0'];
  };
  test.each(commands.map((argv) => [argv.join(' '), argv] as const))('live-assure %s runs as written', { timeout: 30_000 }, async (_name, argv) => {
    const result = await runCli(forTest(argv), { stopWhen: (stdout) => stdout.includes('Ctrl-C stops it.'), env: { LIVE_ASSURE_ADMIN_TOKEN: 'test-admin-token' } });
    expect(result.stderr).not.toMatch(/internal error|^\s+at /m);
    // A load test's verdict depends on the machine it runs on (here: two cores shared with every
    // other test file); "as written" means it ran and judged, 0 or 1, never 2 or a crash.
    if (argv[0] === 'loadtest') expect([0, 1], result.stdout + result.stderr).toContain(result.code);
    // A scenario run proves its writes isolated before any load; that part does not depend on the machine.
    if (argv[0] === 'loadtest' && argv[1] === 'scenarios/demo.yaml') expect(result.stdout + result.stderr).toMatch(/3 write steps proven isolated, fails closed/);
    else expect(result.code).toBe(expectedCode(argv));
  });
});
