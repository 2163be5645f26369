import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ActionContext } from './action-context.js';
import { finishOutcome, type ActionRun } from './action-outcome.js';
import { formatElapsed } from './elapsed-text.js';
import { killProcessGroup } from './kill-process-group.js';
import type { ShellCall } from './sop-action.js';

// Room for redaction to see a secret whole before the output is cut to its last 4 KiB.
const KEPT_OUTPUT_BYTES = 64 * 1024;
// A command stopped with TERM gets this long to clean up (trap handlers) before KILL.
const TERM_GRACE_MS = 2000;
// Output still open after the command exited (a background child holding the pipe) is not waited for longer.
const DRAIN_MS = 200;

type Ending = { kind: 'exited'; code: number | null; signal: NodeJS.Signals | null } | { kind: 'spawn-failed'; error: Error };

/** `/bin/sh -c command` in the SOP's directory; past its timeout (or on abort) its whole process group is killed. */
export async function runShell(call: ShellCall, ctx: ActionContext): Promise<ActionRun> {
  const startedAt = performance.now();
  const named = nameOf(call.command);
  const finish = (ok: boolean, summary: string, output: string, touched: boolean): ActionRun => ({
    outcome: finishOutcome(ctx.redact, startedAt, { ok, summary, output: { text: output, keep: 'tail' } }),
    touched,
  });
  if (ctx.signal.aborted) return finish(false, `interrupted before it started: ${named}`, '', false);

  const child = spawn('/bin/sh', ['-c', call.command], { cwd: ctx.cwd, env: definedEnv(ctx.env), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = Buffer.alloc(0);
  const keep = (chunk: Buffer): void => {
    output = Buffer.concat([output, chunk]);
    if (output.length > KEPT_OUTPUT_BYTES) output = output.subarray(output.length - KEPT_OUTPUT_BYTES);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const ended = waitForEnd(child);

  let stoppedFor: 'timeout' | 'interrupted' | undefined;
  const stop = (reason: 'timeout' | 'interrupted'): void => {
    if (stoppedFor !== undefined || child.pid === undefined) return;
    stoppedFor = reason;
    void stopGroup(child.pid, ended);
  };
  const timer = setTimeout(() => stop('timeout'), call.timeout);
  const onAbort = (): void => stop('interrupted');
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const ending = await ended;
  clearTimeout(timer);
  ctx.signal.removeEventListener('abort', onAbort);
  const text = output.toString('utf8');

  if (ending.kind === 'spawn-failed') return finish(false, `could not start /bin/sh for ${named}: ${ending.error.message}`, text, false);
  if (stoppedFor === 'timeout') return finish(false, `killed after its ${formatElapsed(call.timeout)} timeout, expected exit ${call.expect_exit} (${named})`, text, true);
  if (stoppedFor === 'interrupted') return finish(false, `interrupted: killed ${named}`, text, true);
  const got = ending.code === null ? `killed by ${ending.signal ?? 'a signal'}` : `exit ${ending.code}`;
  if (ending.code !== call.expect_exit) return finish(false, `expected exit ${call.expect_exit}, got ${got} (${named})`, text, true);
  return finish(true, `${named} → ${got}`, text, true);
}

function waitForEnd(child: ReturnType<typeof spawn>): Promise<Ending> {
  return new Promise((resolve) => {
    child.once('error', (error) => resolve({ kind: 'spawn-failed', error }));
    child.once('exit', (code, signal) => {
      const drained = (): void => resolve({ kind: 'exited', code, signal });
      child.once('close', drained);
      setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        drained();
      }, DRAIN_MS).unref();
    });
  });
}

async function stopGroup(groupId: number, ended: Promise<Ending>): Promise<void> {
  await killProcessGroup(groupId, 'TERM');
  await Promise.race([ended, sleep(TERM_GRACE_MS)]);
  // The shell may have gone on TERM while a child it started ignores it: KILL whatever is left of the group.
  await killProcessGroup(groupId, 'KILL');
}

/** The command as summaries name it: its first line, kept short. */
function nameOf(command: string): string {
  const firstLine = command.trim().split('\n')[0] ?? '';
  const short = firstLine.length > 100 ? `${firstLine.slice(0, 100)}…` : firstLine;
  return command.trim().includes('\n') ? `${short} …` : short;
}

function definedEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const defined: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) defined[name] = value;
  return defined;
}
