import { beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { freePort, usePrivateRedis } from '../helpers/redis-server.js';
import { createTestIo, runCli } from '../helpers/test-io.js';

const server = usePrivateRedis();

beforeEach(async () => {
  await server.raw.mset('shadow:room:1', 'a', 'shadow:danmaku:1', 'b', 'shadow:gift:1', 'c', 'room:1', 'kept', 'shadow', 'kept', 'run-9:x', 'r');
});

const cleanup = (...flags: string[]) => runCli(['shadow', 'cleanup', '--redis', server.url, ...flags]);

/** Runs the command with an Io of our own making (a TTY, a clock, an aborted signal) and returns what it printed. */
async function cleanupWith(io: ReturnType<typeof createTestIo>, ...flags: string[]) {
  const code = await main(['shadow', 'cleanup', '--redis', server.url, ...flags], io);
  return { code, stdout: io.out(), stderr: io.err() };
}

describe('shadow cleanup', () => {
  it('deletes the keys under shadow: and says how many in one line', async () => {
    const result = await cleanup();
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^shadow cleanup: deleted 3 keys under "shadow:" in \d+\.\d s \(scanned 3\)\n$/);
    expect(result.stderr).toBe('');
    expect((await server.raw.keys('*')).sort()).toEqual(['room:1', 'run-9:x', 'shadow']);
  });

  it('prints the counts as one JSON object with --json', async () => {
    const result = await cleanup('--json');
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    const json: unknown = JSON.parse(result.stdout);
    expect(json).toMatchObject({ prefix: 'shadow:', scanned_keys: 3, matched: 3, deleted: 3, dry_run: false, complete: true });
    expect(json).toHaveProperty('elapsed_ms');
  });

  it('counts and deletes nothing with --dry-run, and shows the keys it would delete', async () => {
    const result = await cleanup('--dry-run');
    expect(result.code).toBe(0);
    const [summary, ...examples] = result.stdout.split('\n');
    expect(summary).toMatch(/^shadow cleanup: would delete 3 keys under "shadow:" \(dry run, nothing deleted; scanned 3 in \d+\.\d s\)$/);
    expect(examples.sort()).toEqual(['', '  shadow:danmaku:1', '  shadow:gift:1', '  shadow:room:1']);
    expect(await server.raw.dbsize()).toBe(6);
  });

  it('shows at most 5 example keys in a dry run and says how many more there are', async () => {
    await server.raw.mset(Object.fromEntries(Array.from({ length: 1200 }, (_, index) => [`shadow:user:${index}`, 'x'])));
    const result = await cleanup('--dry-run');
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(7);
    expect(lines.slice(1, 6).every((line) => /^ {2}shadow:\S+$/.test(line))).toBe(true);
    expect(new Set(lines.slice(1, 6)).size).toBe(5);
    expect(lines[6]).toBe('  … and 1,198 more');
  });

  it('shows example keys printable: non-UTF-8 bytes and control characters as \\xNN, cut to 80 characters', async () => {
    await server.raw.flushdb();
    await server.raw.set(Buffer.concat([Buffer.from('shadow:bin:'), Buffer.from([0xff, 0xc3, 0x28, 0x0a, 0x1b]), Buffer.from('é\\end')]), 'x');
    await server.raw.set(`shadow:long:${'y'.repeat(200)}`, 'x');
    const result = await cleanup('--dry-run');
    const examples = result.stdout.trimEnd().split('\n').slice(1).sort();
    expect(examples).toEqual(['  shadow:bin:\\xff\\xc3(\\x0a\\x1bé\\\\end', `  shadow:long:${'y'.repeat(79 - 'shadow:long:'.length)}…`]);
    expect(examples[1]?.trim()).toHaveLength(80);
  });

  it('lists the example keys as examples in --dry-run --json, and only in a dry run', async () => {
    const dry: unknown = JSON.parse((await cleanup('--dry-run', '--json')).stdout);
    expect(dry).toMatchObject({ prefix: 'shadow:', matched: 3, deleted: 0, dry_run: true });
    expect(dry).toHaveProperty('examples', expect.arrayContaining(['shadow:room:1', 'shadow:danmaku:1', 'shadow:gift:1']));
    const wet: unknown = JSON.parse((await cleanup('--json')).stdout);
    expect(wet).not.toHaveProperty('examples');
  });

  it('shows no example lines when nothing matches', async () => {
    const result = await cleanup('--dry-run', '--prefix', 'pt_none:');
    expect(result.stdout).toMatch(/^shadow cleanup: would delete 0 keys under "pt_none:" [^\n]*\n$/);
  });

  it('takes another prefix with --prefix', async () => {
    await server.raw.mset('PT_run9:a', '1', 'PT_run9:b', '2');
    const result = await cleanup('--prefix', 'PT_run9:', '--json');
    expect(JSON.parse(result.stdout)).toMatchObject({ prefix: 'PT_run9:', deleted: 2 });
    expect(await server.raw.dbsize()).toBe(6);
  });

  it('takes a prefix that does not look like a shadow prefix with --force', async () => {
    const result = await cleanup('--prefix', 'run-9:', '--force', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ prefix: 'run-9:', deleted: 1 });
    expect(await server.raw.exists('run-9:x')).toBe(0);
    expect(await server.raw.dbsize()).toBe(5);
  });

  it('takes a hash-tag prefix ending in }', async () => {
    await server.raw.mset('{perf}:a', '1', '{perf}b', '2');
    const result = await cleanup('--prefix', '{perf}', '--json');
    expect(JSON.parse(result.stdout)).toMatchObject({ deleted: 2 });
  });

  it('draws a bar on a terminal and clears it before the final line', async () => {
    let clock = 0;
    const io = createTestIo();
    const result = await cleanupWith({ ...io, now: () => (clock += 500), stderr: { write: io.stderr.write, isTTY: true } });
    expect(result.code).toBe(0);
    expect(result.stderr.startsWith('\r\x1b[Kshadow cleanup ')).toBe(true);
    expect(result.stderr).toMatch(/shadow cleanup \[#{24}\] 100% of 6 keys scanned, \d deleted/);
    expect(result.stderr.endsWith('\r\x1b[K')).toBe(true);
  });

  it('writes plain progress lines off a terminal', async () => {
    let clock = 0;
    const io = { ...createTestIo(), now: () => (clock += 2000) };
    const result = await cleanupWith(io, '--dry-run');
    expect(result.stderr.split('\n')[0]).toMatch(/^shadow cleanup: 100% of 6 keys scanned, 3 to delete$/);
    expect(result.stderr).not.toContain('\r');
  });

  it('stops on Ctrl-C with exit 130 and says to re-run for the rest', async () => {
    const io = { ...createTestIo(), signal: AbortSignal.abort('SIGINT') };
    const result = await cleanupWith(io);
    expect(result.code).toBe(130);
    expect(result.stdout).toMatch(/^shadow cleanup: interrupted: deleted 0 keys under "shadow:"/);
    expect(result.stderr).toMatch(/re-run the same command to delete the rest/);
    expect(await server.raw.dbsize()).toBe(6);
  });

  it('exits 5 and says what is left when Redis refuses to delete', async () => {
    await server.raw.acl('SETUSER', 'no-unlink', 'on', '>s3cret-pw', '~*', '+@all', '-unlink');
    const result = await runCli(['shadow', 'cleanup', '--redis', `redis://no-unlink:s3cret-pw@127.0.0.1:${server.port}`]);
    expect(result.code).toBe(5);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^live-assure: shadow cleanup of "shadow:" failed after deleting 0 keys \(100% of the keyspace scanned\): NOPERM/);
    expect(result.stderr).toMatch(/\nhint: the rest of the keys under "shadow:" are still in Redis: re-run/);
    expect(result.stderr).not.toContain('s3cret-pw');
    expect(await server.raw.dbsize()).toBe(6);
  });
});

describe('shadow cleanup refuses', () => {
  it.each([['http://127.0.0.1:6379'], ['127.0.0.1:6379'], ['redis://'], ['rediss://user:pw@']])('--redis %s: exit 2, one line', async (url) => {
    const result = await runCli(['shadow', 'cleanup', '--redis', url]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^live-assure: --redis must be a redis:\/\/ or rediss:\/\/ URL, not .*\n$/);
    expect(result.stderr).not.toContain(':pw@');
  });

  it('an empty --prefix (every key would match): exit 2', async () => {
    const result = await cleanup('--prefix', '');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^live-assure: --prefix must not be empty/);
    expect(await server.raw.dbsize()).toBe(6);
  });

  it('a prefix with no separator at its end (it matches roomXYZ too): exit 2, one line, nothing deleted', async () => {
    await server.raw.mset('room:enter:1', 'prod', 'roomXYZ', 'prod');
    const result = await cleanup('--prefix', 'room');
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('live-assure: --prefix "room" has no separator at its end, so it also matches roomXYZ: give "room:" (or --force)\n');
    expect(await server.raw.dbsize()).toBe(8);
  });

  it('a shadow-looking prefix with no separator at its end: exit 2', async () => {
    const result = await cleanup('--prefix', 'shadow');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^live-assure: --prefix "shadow" has no separator at its end, so it also matches shadowXYZ: give "shadow:" \(or --force\)\n$/);
    expect(await server.raw.dbsize()).toBe(6);
  });

  it.each([['room:'], ['user_'], ['cache.'], ['{room}']])('--prefix %s, which does not look like a shadow prefix: exit 2, one line, nothing deleted', async (prefix) => {
    const result = await cleanup('--prefix', prefix);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^live-assure: --prefix ${JSON.stringify(prefix).replace(/[{}.]/g, '\\$&')} does not look like a shadow prefix .*every key under it would be deleted.*--force\n$`));
    expect(await server.raw.dbsize()).toBe(6);
  });

  it('not a risky prefix in a dry run: it deletes nothing, and shows what the prefix catches', async () => {
    const result = await cleanup('--prefix', 'room:', '--dry-run');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^shadow cleanup: would delete 1 key under "room:" [^\n]*\n {2}room:1\n$/);
    expect(await server.raw.dbsize()).toBe(6);
  });

  it.each([['shadow_'], ['pt_'], ['Pt_x:'], ['load-TEST:'], ['perf/'], ['a-Shadow-copy|'], ['test#']])('--prefix %s is taken without --force: it looks like a shadow prefix', async (prefix) => {
    expect((await cleanup('--prefix', prefix)).code).toBe(0);
  });

  it('a database the Redis does not have: exit 2, with how many it has', async () => {
    const result = await runCli(['shadow', 'cleanup', '--redis', `redis://:pw-in-url@127.0.0.1:${server.port}/99`]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`live-assure: --redis redis://:***@127.0.0.1:${server.port}/99 names database 99, which this Redis does not have (it has 16)\n`);
  });

  it('a database the Redis does not have, as a user not allowed CONFIG: exit 2, without the count', async () => {
    await server.raw.acl('SETUSER', 'no-config', 'on', '>pw', '~*', '+@all', '-config');
    const result = await runCli(['shadow', 'cleanup', '--redis', `redis://no-config:pw@127.0.0.1:${server.port}/16`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`live-assure: --redis redis://no-config:***@127.0.0.1:${server.port}/16 names database 16, which this Redis does not have\n`);
  });

  it('a database the Redis has is cleaned, not database 0', async () => {
    const other = server.raw.duplicate({ db: 3 });
    try {
      await other.set('shadow:in-3', 'x');
      const result = await runCli(['shadow', 'cleanup', '--redis', `redis://127.0.0.1:${server.port}/3`, '--json']);
      expect(JSON.parse(result.stdout)).toMatchObject({ deleted: 1 });
      expect(await other.dbsize()).toBe(0);
      expect(await server.raw.dbsize()).toBe(6);
    } finally {
      await other.flushdb();
      other.disconnect();
    }
  });

  it('an unreachable Redis: exit 3 with a hint, password redacted, no stack', async () => {
    const port = await freePort();
    const result = await runCli(['shadow', 'cleanup', '--redis', `redis://:hunter2@127.0.0.1:${port}`]);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^live-assure: shadow cleanup: cannot reach Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
    expect(result.stderr).toMatch(/\nhint: /);
    expect(result.stderr).not.toContain('hunter2');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
