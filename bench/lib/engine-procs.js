// Child processes of bench/loadtest-engine.js: pinned with taskset, measured with GNU time -v (or,
// without it, a sh wrapper reading its own /proc/<pid>/stat cutime+cstime), RSS sampled from
// /proc/<pid>/status. Every process started here stays in the bench's process group and is
// remembered, so stopAll() can end each one (and its children) by id.
import { execFile, spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { processCpuMs } from './cpu-usage.js';
import { findOnPath } from './wrk-run.js';

const run = promisify(execFile);
const ENGINE_SERVER = fileURLToPath(new URL('../engine-server.js', import.meta.url));

/** Processes started here and not known to have exited. */
const running = new Set();

/** What this machine has: taskset for pinning, GNU time for CPU and peak RSS, wrk. */
export async function findTools({ gnuTime = true } = {}) {
  const taskset = await run('taskset', ['-c', '0', 'true']).then(
    () => true,
    () => false,
  );
  let time;
  if (gnuTime) {
    for (const candidate of ['/usr/bin/time', '/bin/time']) {
      const text = await run(candidate, ['-v', 'true']).then(
        ({ stderr }) => stderr,
        () => '',
      );
      if (text.includes('Maximum resident set size')) {
        time = candidate;
        break;
      }
    }
  }
  let clockTicks = 100;
  try {
    clockTicks = Number((await run('getconf', ['CLK_TCK'])).stdout.trim()) || 100;
  } catch {
    // keep 100
  }
  return { taskset, time, clockTicks, wrk: await findOnPath('wrk') };
}

/** Ids of a process's children (Linux /proc). */
async function childrenOf(pid) {
  try {
    const tasks = await readdir(`/proc/${pid}/task`);
    const lists = await Promise.all(tasks.map((task) => readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '')));
    return lists.join(' ').split(/\s+/).filter((id) => id !== '').map(Number);
  } catch {
    return [];
  }
}

/** The process and every descendant, deepest first. */
async function tree(pid) {
  const below = [];
  for (const child of await childrenOf(pid)) below.push(...(await tree(child)));
  return [...below, pid];
}

async function killTree(pid, signal) {
  for (const id of await tree(pid)) {
    try {
      process.kill(id, signal);
    } catch {
      // already gone
    }
  }
}

/** Ends every process started here, children first; SIGKILL for any still there after 2 s. */
export async function stopAll() {
  const entries = [...running];
  await Promise.all(entries.map((entry) => killTree(entry.pid, 'SIGTERM')));
  const deadline = Date.now() + 2000;
  while (Date.now() < deadline && entries.some((entry) => running.has(entry))) await sleep(50);
  await Promise.all(entries.filter((entry) => running.has(entry)).map((entry) => killTree(entry.pid, 'SIGKILL')));
}

function track(child) {
  const entry = { pid: child.pid };
  running.add(entry);
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(entry);
      resolve({ code, signal });
    });
    child.once('error', (error) => {
      running.delete(entry);
      resolve({ code: null, signal: null, error });
    });
  });
  return exited;
}

const pinned = (tools, core, argv) => (tools.taskset && core !== undefined ? ['taskset', '-c', String(core), ...argv] : argv);

/** kB fields of /proc/<pid>/status (VmRSS, VmHWM), or undefined once the process is gone. */
async function memoryOf(pid) {
  try {
    const text = await readFile(`/proc/${pid}/status`, 'utf8');
    const field = (name) => Number(text.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'))?.[1] ?? NaN);
    return { rss_kb: field('VmRSS'), hwm_kb: field('VmHWM') };
  } catch {
    return undefined;
  }
}

function parseGnuTime(text) {
  const number = (pattern) => Number(text.match(pattern)?.[1] ?? NaN);
  const user = number(/User time \(seconds\): ([\d.]+)/);
  const system = number(/System time \(seconds\): ([\d.]+)/);
  const elapsed = text.match(/Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/)?.[1];
  const wall = elapsed === undefined ? NaN : elapsed.split(':').reduce((sum, part) => sum * 60 + Number(part), 0);
  return { user_s: user, sys_s: system, cpu_s: user + system, wall_s: wall, max_rss_kb: number(/Maximum resident set size \(kbytes\): (\d+)/) };
}

/**
 * Runs `command args` pinned to `core`, to its end, measured: CPU seconds (user + system) and
 * peak RSS of the whole process (every thread), from GNU time -v or the fallback. RSS is also
 * sampled every `sampleMs` from /proc; `samples` keeps one every `keepEveryMs` (the --long check).
 */
export async function runMeasured(tools, { core, command, args, cwd, env, scratch, sampleMs = 100, keepEveryMs, onStart }) {
  const stats = join(scratch, `measure-${process.hrtime.bigint()}.txt`);
  const wrapped = tools.time !== undefined
    ? [tools.time, '-v', '-o', stats, command, ...args]
    // sh runs the command as its child, waits, and copies its own /proc stat: fields cutime and
    // cstime are the CPU time of the children it waited for.
    : ['sh', '-c', '"$@"; status=$?; cat /proc/$$/stat > "$0"; exit $status', stats, command, ...args];
  const argv = pinned(tools, core, wrapped);
  const startedAt = performance.now();
  const child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = track(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));

  // The measured process is the wrapper's one child (taskset execs, time and sh fork).
  let measuredPid;
  let finished = false;
  const samples = [];
  let lastHwm = NaN;
  const sampler = (async () => {
    while (!finished && measuredPid === undefined) {
      measuredPid = (await childrenOf(child.pid))[0];
      if (measuredPid === undefined) await sleep(5);
    }
    if (measuredPid !== undefined) onStart?.(measuredPid);
    // The first kept sample is one period in: at 0 s the process is still starting.
    let kept = 0;
    while (!finished && measuredPid !== undefined) {
      const memory = await memoryOf(measuredPid);
      if (memory === undefined) break;
      if (Number.isFinite(memory.hwm_kb)) lastHwm = memory.hwm_kb;
      const at = performance.now() - startedAt;
      if (keepEveryMs !== undefined && at - kept >= keepEveryMs) {
        samples.push({ at_s: at / 1000, rss_kb: memory.rss_kb });
        kept = at;
      }
      await sleep(sampleMs);
    }
  })();

  const { code, signal, error } = await exited;
  finished = true;
  await sampler;
  if (error !== undefined) throw new Error(`cannot start ${argv[0]}: ${error.message}`, { cause: error });
  const measured = { code, signal, stdout, stderr, samples, sampled_hwm_kb: lastHwm, wall_s: (performance.now() - startedAt) / 1000 };
  const text = await readFile(stats, 'utf8').catch(() => '');
  if (tools.time !== undefined) {
    const parsed = parseGnuTime(text);
    return { ...measured, ...parsed, cpu_source: 'GNU time -v', rss_source: 'GNU time -v' };
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const user = Number(fields[13]) / tools.clockTicks;
  const system = Number(fields[14]) / tools.clockTicks;
  return { ...measured, user_s: user, sys_s: system, cpu_s: user + system, max_rss_kb: lastHwm, cpu_source: '/proc cutime+cstime', rss_source: `/proc VmHWM every ${sampleMs} ms` };
}

/**
 * Starts bench/engine-server.js in `mode`, pinned to `core`, and waits for its URL. `command()`
 * sends it one stdin command and resolves to its JSON answer.
 */
export async function startServer(tools, { mode, core, extra = [] }) {
  const argv = pinned(tools, core, [process.execPath, ENGINE_SERVER, '--mode', mode, ...extra]);
  const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = track(child);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
  const waiting = [];
  const lines = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const next = waiting.shift();
    if (next === undefined) lines.push(line);
    else next(line);
  });
  const nextLine = (ms) =>
    new Promise((resolve, reject) => {
      if (lines.length > 0) return resolve(lines.shift());
      const timer = setTimeout(() => reject(new Error(`the ${mode} server did not answer within ${ms / 1000} s: ${stderr.trim()}`)), ms);
      waiting.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
      void exited.then(({ code }) => reject(new Error(`the ${mode} server exited with code ${code}: ${stderr.trim()}`)));
    });
  const { url } = JSON.parse(await nextLine(10_000));
  return {
    url,
    pid: child.pid,
    async command(text) {
      child.stdin.write(`${text}\n`);
      return JSON.parse(await nextLine(30_000));
    },
    cpuMs: () => processCpuMs(child.pid),
    async stop() {
      child.stdin.end();
      child.kill();
      await exited;
    },
  };
}
