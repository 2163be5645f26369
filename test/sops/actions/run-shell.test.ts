import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRedactor } from '../../../src/sops/actions/redaction.js';
import { runAction } from '../../../src/sops/actions/run-action.js';
import { parseAction, testContext } from './action-fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'live-assure-shell-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Gone, or a zombie nobody has reaped yet (it runs no more). */
async function processGone(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

describe('shell actions', () => {
  it('runs /bin/sh -c in the SOP directory with its environment, and keeps stdout and stderr', async () => {
    await writeFile(join(dir, 'drain.sh'), 'echo "draining $1 for $OWNER"\necho warn >&2\n');
    const outcome = await runAction(parseAction({ shell: { command: 'sh ./drain.sh shard-3' } }), testContext({ cwd: dir, env: { PATH: process.env['PATH'], OWNER: 'oncall', UNSET: undefined } }));
    expect(outcome).toMatchObject({ ok: true, summary: 'sh ./drain.sh shard-3 → exit 0', output: 'draining shard-3 for oncall\nwarn\n' });
  });

  it('fails on another exit status than expect_exit, and passes on the expected one', async () => {
    expect(await runAction(parseAction({ shell: { command: 'echo nope; exit 3' } }), testContext())).toMatchObject({
      ok: false,
      summary: 'expected exit 0, got exit 3 (echo nope; exit 3)',
      output: 'nope\n',
    });
    expect(await runAction(parseAction({ shell: { command: 'exit 3', expect_exit: 3 } }), testContext())).toMatchObject({ ok: true, summary: 'exit 3 → exit 3' });
  });

  it('kills the whole process group at its timeout, children included, and fails', async () => {
    const pidFile = join(dir, 'child.pid');
    const started = performance.now();
    const outcome = await runAction(parseAction({ shell: { command: `sleep 30 & echo $! > ${pidFile}; echo started; wait`, timeout: '500ms' } }), testContext());
    expect(performance.now() - started).toBeLessThan(3000);
    expect(outcome).toMatchObject({ ok: false, output: 'started\n' });
    expect(outcome.summary).toMatch(/^killed after its 500 ms timeout, expected exit 0 \(sleep 30 &/);
    const child = Number(await readFile(pidFile, 'utf8'));
    await expect.poll(() => processGone(child), { timeout: 3000 }).toBe(true);
  });

  it('KILLs a command that ignores TERM', async () => {
    const started = performance.now();
    const outcome = await runAction(parseAction({ shell: { command: "trap '' TERM; sleep 30", timeout: '200ms' } }), testContext());
    expect(outcome.ok).toBe(false);
    expect(performance.now() - started).toBeLessThan(4000);
  });

  it('is interrupted by the signal: the command is killed at once', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = performance.now();
    const outcome = await runAction(parseAction({ shell: { command: 'sleep 30' } }), testContext({ signal: controller.signal }));
    expect(outcome).toMatchObject({ ok: false, summary: 'interrupted: killed sleep 30' });
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('keeps the last 4 KiB of a long output, redacted', async () => {
    const outcome = await runAction(
      parseAction({ shell: { command: 'i=0; while [ $i -lt 2000 ]; do echo "line $i"; i=$((i+1)); done; echo "token=$TOKEN"' } }),
      testContext({ env: { PATH: process.env['PATH'], TOKEN: 'hunter2-secret' }, redact: createRedactor(['hunter2-secret']) }),
    );
    expect(outcome.ok).toBe(true);
    expect(Buffer.byteLength(outcome.output ?? '')).toBeLessThanOrEqual(4096);
    expect(outcome.output).toMatch(/^… \(\d+ bytes, cut to the last 4096\)\n/);
    expect(outcome.output).toMatch(/line 1999\ntoken=\*\*\*\n$/);
  });
});
