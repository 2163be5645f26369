/** Compact numbers for live output, where every column counts: `1,180`, `12.3k`, `1.2ms`, `0.4%`. */

const trim = (text: string): string => (text.includes('.') ? text.replace(/\.?0+$/, '') : text);

/** A count: exact with grouping below 10,000 (`1,180`), then `12.3k`, `123k`, `1.23M`. */
export function formatCount(value: number): string {
  const n = Math.round(value);
  const size = Math.abs(n);
  if (size < 10_000) return n.toLocaleString('en-US');
  if (size < 1_000_000) return `${trim((n / 1000).toFixed(size < 100_000 ? 1 : 0))}k`;
  if (size < 1_000_000_000) return `${trim((n / 1_000_000).toFixed(size < 10_000_000 ? 2 : 1))}M`;
  return `${trim((n / 1_000_000_000).toFixed(2))}G`;
}

/** A quantity that may be fractional, such as a rate: three significant digits (`0.5`, `12.5`, `100`), then as a count. */
export function formatQuantity(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-';
  if (Math.abs(value) < 1000) return String(Number(value.toPrecision(3)));
  return formatCount(value);
}

/** An achieved rate, always with one decimal below 1,000 so it does not jitter in width: `98.0`. */
export function formatRate(value: number): string {
  return Math.abs(value) < 1000 ? value.toFixed(1) : formatCount(value);
}

/** Milliseconds: `0.3ms`, `8.4ms`, `12ms`, `1.23s`, `12.3s`. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms < 10) return `${ms.toFixed(1)}ms`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 10_000) return `${trim((ms / 1000).toFixed(2))}s`;
  return `${trim((ms / 1000).toFixed(1))}s`;
}

/** A fraction as a percentage: `0%`, `0.04%`, `0.4%`, `12.3%`, `100%`. */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '-';
  const percent = fraction * 100;
  return `${trim(percent.toFixed(percent < 10 ? 2 : 1))}%`;
}

/** Non-zero entries, largest first: `timeout 3, http_5xx 2`; empty when there are none. */
export function formatBreakdown(counts: Readonly<Record<string, number | undefined>>): string {
  return Object.entries(counts)
    .filter((entry): entry is [string, number] => (entry[1] ?? 0) > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([name, count]) => `${name} ${formatCount(count)}`)
    .join(', ');
}

/** A clock for elapsed time: `0:07`, `12:30`, `1:02:03`. */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}
