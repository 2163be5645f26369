// Text rendering of bench/loadtest-engine.js's sections.
const grouped = (value) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '-');
const fixed = (value, digits) => (typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '-');

function table(header, rows, right) {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells) => cells.map((cell, column) => (right[column] ? cell.padStart(widths[column]) : cell.padEnd(widths[column]))).join('  ').trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)];
}

const renderers = {
  cpu(section) {
    const out = table(
      ['tool', 'requests', 'req/s', 'CPU-s (user+sys)', 'req per CPU-s', 'peak RSS MB', 'server CPU-s', 'errors'],
      section.rows.map((row) => [
        row.tool,
        grouped(row.requests),
        grouped(row.req_per_s),
        `${fixed(row.cpu_s, 2)} (${fixed(row.user_s, 2)}+${fixed(row.sys_s, 2)})`,
        grouped(row.req_per_cpu_s),
        fixed(row.peak_rss_mb, 1),
        fixed(row.server_cpu_s, 2),
        String(row.errors ?? 0),
      ]),
      [false, true, true, true, true, true, true, true],
    );
    for (const row of section.rows) {
      out.push(`  ${row.tool}: ${row.command}${row.dropped === undefined ? '' : ` — dropped ${grouped(row.dropped)} arrivals, lag p99 ${fixed(row.lag_p99_ms, 1)} ms, latency p99 ${fixed(row.latency_p99_ms, 1)} ms`}`);
    }
    out.push(`  ratio live-assure / autocannon (req per CPU-s): ${section.ratio.toFixed(2)}`);
    for (const thread of section.profile?.threads ?? []) {
      out.push('', `  profile, ${thread.thread} thread (${grouped(thread.total_ms)} ms sampled; ${grouped(section.profile.requests)} requests in ${fixed(section.profile.cpu_s, 2)} CPU-s):`);
      out.push(`    by place: ${thread.places.slice(0, 8).map((place) => `${place.name} ${(place.share * 100).toFixed(1)}%`).join(', ')}`);
      for (const fn of thread.functions) out.push(`    ${(fn.share * 100).toFixed(1).padStart(5)}%  ${grouped(fn.ms).padStart(6)} ms  ${fn.name}`);
    }
    return out;
  },
  pacing(section) {
    const out = table(
      ['tool', 'received', 'vs expected', 'CV per 10 ms', 'empty bins', 'peak per bin (mean)', 'gen CPU-s', 'lag p99 / max ms'],
      section.rows.map((row) => [
        row.tool,
        grouped(row.received),
        `${row.off_pct >= 0 ? '+' : ''}${fixed(row.off_pct, 3)}%`,
        fixed(row.cv, 3),
        `${fixed(row.empty_pct, 1)}%`,
        `${row.peak_per_bin} (${fixed(row.mean_per_bin, 1)})`,
        fixed(row.cpu_s, 2),
        row.lag_p99_ms === undefined ? '-' : `${fixed(row.lag_p99_ms, 1)} / ${fixed(row.lag_max_ms, 1)}`,
      ]),
      [false, true, true, true, true, true, true, true],
    );
    for (const row of section.rows) out.push(`  ${row.tool}: ${row.command}`);
    return out;
  },
  stall(section) {
    const out = table(
      ['percentile', 'true ms', 'live-assure ms', 'error', 'rule'],
      section.rows.map((row) => [
        row.percentile,
        fixed(row.true_ms, 2),
        fixed(row.reported_ms, 2),
        row.absolute ? `${row.error_ms >= 0 ? '+' : ''}${fixed(row.error_ms, 2)} ms` : `${row.rel_error >= 0 ? '+' : ''}${fixed(row.rel_error * 100, 1)}%`,
        row.pass === null ? row.rule : `${row.rule}: ${row.pass ? 'ok' : 'off'}`,
      ]),
      [false, true, true, true, false],
    );
    const run = section.run;
    out.push(`  ${run.command}: ${grouped(run.requests)} requests, ${grouped(run.responses)} responses, ${run.errors} errors; generator lag p50 ${fixed(run.lag_p50_ms, 2)} ms, p99 ${fixed(run.lag_p99_ms, 1)} ms (inside every latency, which counts from the intended time); server received ${grouped(run.server_received)}`);
    return out;
  },
  rss(section) {
    const out = table(
      ['run', 'peak RSS MB', 'sampled VmHWM MB', 'source'],
      section.rows.map((row) => [row.what, fixed(row.peak_rss_mb, 1), fixed(row.sampled_hwm_mb, 1), row.source]),
      [false, true, true, false],
    );
    const long = section.long;
    if (long !== undefined) {
      out.push('', `  --long: ${long.rate} rps for ${long.minutes} min, ${grouped(long.requests)} requests, ${long.errors} errors; RSS MB every 10 s:`);
      out.push(`    ${long.samples.map((sample) => sample.rss_mb.toFixed(0)).join(' ')}`);
      out.push(`    mean: first minute ${fixed(long.first_minute_mb, 1)} MB, second minute ${fixed(long.second_minute_mb, 1)} MB, last minute ${fixed(long.last_minute_mb, 1)} MB`);
    }
    return out;
  },
};

/** One section as text: title, table, notes, verdict lines. */
export function renderSection(section) {
  const lines = [section.title, ...renderers[section.id](section)];
  for (const note of section.notes) lines.push(`  note: ${note}`);
  for (const verdict of section.verdicts) lines.push(`${verdict.pass ? 'PASS' : 'MISS'} ${verdict.text}`);
  return `${lines.join('\n')}\n\n`;
}

/** The run's header: machine, tools, how CPU and memory were measured. */
export function renderHeader(context) {
  const { tools, machine } = context;
  const lines = [`live-assure bench: load engine vs autocannon${tools.wrk === undefined ? '' : ' and wrk'} — node ${process.version}, ${machine.cpus} CPUs${machine.commit === null ? '' : `, src at ${machine.commit}`}`];
  lines.push(tools.taskset ? 'pinning: servers taskset -c 1, generators taskset -c 0' : 'pinning: NONE (taskset is missing): server and generator share the CPUs, the CPU numbers are less comparable');
  lines.push(tools.time !== undefined ? `CPU and peak RSS: GNU time -v (${tools.time}), whole process (every thread)` : 'CPU: /proc cutime+cstime of a sh wrapper (GNU time is missing); peak RSS: VmHWM sampled every 100 ms');
  if (machine.busy > 0.25) lines.push(`WARNING: other processes kept ${machine.busy.toFixed(2)} CPUs busy just before the run: the numbers are low and noisy`);
  return `${lines.join('\n')}\n\n`;
}

export function renderVerdicts(sections) {
  const lines = ['Summary:'];
  for (const section of sections) for (const verdict of section.verdicts) lines.push(`${verdict.pass ? 'PASS' : 'MISS'} ${verdict.text}`);
  return `${lines.join('\n')}\n`;
}
