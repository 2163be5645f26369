/** Numbers as the report prints them, the same in HTML and Markdown. */

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)}s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)}s`;
  if (ms >= 100) return `${Math.round(ms)}ms`;
  if (ms >= 10) return `${ms.toFixed(1)}ms`;
  return `${ms.toFixed(2)}ms`;
}

export function formatPercent(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '–';
  const percent = share * 100;
  if (percent === 0) return '0%';
  if (percent < 0.01) return '<0.01%';
  return `${percent < 10 ? percent.toFixed(2).replace(/\.?0+$/, '') : percent.toFixed(1).replace(/\.0$/, '')}%`;
}

export function formatRate(perSecond: number): string {
  if (perSecond >= 10_000) return `${Math.round(perSecond).toLocaleString('en-US')}/s`;
  if (perSecond >= 100) return `${Math.round(perSecond)}/s`;
  return `${perSecond.toFixed(1)}/s`;
}

export function formatCount(count: number): string {
  return Math.round(count).toLocaleString('en-US');
}

/** `4m 05s`, `1h 02m`, `12.3s`. */
export function formatSpan(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds * 10) / 10}s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.round(seconds % 60);
  return h > 0 ? `${h}h ${String(m).padStart(2, '0')}m` : `${m}m ${String(s).padStart(2, '0')}s`;
}

/** A threshold's measured value in its own unit: ms for latency, a share for error rates, a rate for rps. */
export function formatThresholdValue(expr: string, value: number | null): string {
  if (value === null) return 'no data';
  if (/errors\.rate/.test(expr)) return formatPercent(value);
  if (/\.rps\b|^rps/.test(expr)) return formatRate(value);
  return formatMs(value);
}

/** `2026-12-07 20:10:14 UTC`. */
export function formatTime(iso: string | undefined): string {
  if (iso === undefined || Number.isNaN(Date.parse(iso))) return '–';
  return `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
