import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { exitCodeMeanings } from '../../src/exit-codes.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { runCli } from '../helpers/test-io.js';

const readme = readFileSync('README.md', 'utf8');

/** Every `live-assure …` line of the README's sh blocks, as argv. */
function readmeCommands(): string[][] {
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
  return blocks
    .flatMap((block) => block.split('\n'))
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line.startsWith('live-assure '))
    .map((line) => line.split(/\s+/).slice(1));
}

describe('the README stays true', () => {
  test('it opens with what live-assure is for and the two set-up commands', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const lines = firstBlock.trim().split('\n');
    expect(readme.indexOf('```sh')).toBeLessThan(1200);
    expect(lines[0]).toMatch(/^npm ci && npm run build && node bin\/live-assure\.js plan scenarios\/s-final\.yaml/);
    expect(lines[1]).toMatch(/^npm ci && npm test\b/);
  });

  test('its exit-code table is the one in src/exit-codes.ts', () => {
    const rows = [...readme.matchAll(/^\| (\d+) \| (.+) \|$/gm)].map((match) => ({ code: Number(match[1]), meaning: match[2] }));
    expect(rows).toEqual(exitCodeMeanings.map(({ code, meaning }) => ({ code, meaning })));
  });

  const commands = readmeCommands();
  test('it shows commands', () => expect(commands.length).toBeGreaterThanOrEqual(6));

  // s-final is the night that does not hold: its plan is a finding (exit 1); everything else succeeds.
  const expectedCode = (argv: readonly string[]) => (argv[0] === 'plan' && argv[1] === 'scenarios/s-final.yaml' ? 1 : 0);
  // `demo` serves until Ctrl-C: it is stopped once its banner is out, on a free port and a private Redis.
  let redis: TestRedis | undefined;
  beforeAll(async () => {
    if (commands.some((argv) => argv.includes('--redis'))) redis = await startRedis();
  });
  afterAll(async () => redis?.stop());
  const forTest = (argv: readonly string[]): string[] => {
    if (argv[0] !== 'demo') return [...argv];
    const local = argv.map((arg, index) => (argv[index - 1] === '--port' ? '0' : argv[index - 1] === '--redis' ? (redis?.url ?? arg) : arg));
    return local.includes('--port') ? local : [...local, '--port', '0'];
  };
  test.each(commands.map((argv) => [argv.join(' '), argv] as const))('live-assure %s runs as written', async (_name, argv) => {
    const result = await runCli(forTest(argv), { stopWhen: (stdout) => stdout.includes('Ctrl-C stops it.') });
    expect(result.stderr).not.toMatch(/internal error|^\s+at /m);
    expect(result.code).toBe(expectedCode(argv));
  });
});
