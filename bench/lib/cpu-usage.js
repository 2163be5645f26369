// Process CPU comes from Linux /proc; elsewhere it is unknown and the report's column stays empty.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);
let clockTicks;

/** CPU milliseconds (user + system) a process has used so far, or undefined when unknown. */
export async function processCpuMs(pid) {
  if (pid === undefined) return undefined;
  try {
    clockTicks ??= Number((await run('getconf', ['CLK_TCK'])).stdout.trim()) || 100;
  } catch {
    clockTicks = 100;
  }
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
  } catch {
    return undefined;
  }
}

/** How many CPUs' worth of work the whole machine did over `ms` (os.cpus() counters). */
export async function machineBusyCores(ms) {
  const sample = () =>
    cpus().reduce(
      (sum, { times }) => {
        const busy = times.user + times.nice + times.sys + times.irq;
        return { busy: sum.busy + busy, total: sum.total + busy + times.idle };
      },
      { busy: 0, total: 0 },
    );
  const before = sample();
  await sleep(ms);
  const after = sample();
  const total = after.total - before.total;
  return total <= 0 ? 0 : ((after.busy - before.busy) / total) * cpus().length;
}
