/**
 * The written forms of scenario scalars, parsed and formatted without zod: durations (`30s`),
 * rates (`120/s`), fractions (`0.9`, `90%`) and numbers with `_` separators (`3_000_000`). Flags
 * use them too, so a command that reads no scenario does not load the schema library.
 */

export const NUMBER_TEXT = /^[+-]?(\d+(_\d+)*)(\.\d+(_\d+)*)?([eE][+-]?\d+)?$/;
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
export const DURATION_TEXT = /^(\d+(?:\.\d+)?(ms|s|m|h))+$/;
export const RATE_TEXT = /^(\d+(?:_\d+)*(?:\.\d+)?)\s*\/\s*(\d*(?:\.\d+)?)\s*(ms|s|sec|m|min|h|hour)$/;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000, hour: 3_600_000 };

export function parseNumberText(text: string): number | undefined {
  const trimmed = text.trim();
  if (!NUMBER_TEXT.test(trimmed)) return undefined;
  const value = Number(trimmed.replaceAll('_', ''));
  return Number.isFinite(value) ? value : undefined;
}

/** `90s`, `1h30m`, `250ms` → milliseconds; `0` is allowed bare. */
export function parseDuration(value: unknown): number | undefined {
  if (value === 0) return 0;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '0') return 0;
  if (!DURATION_TEXT.test(text)) return undefined;
  let total = 0;
  for (const match of text.matchAll(DURATION_PART)) {
    total += Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? Number.NaN);
  }
  return Number.isFinite(total) ? total : undefined;
}

/** `120/s`, `3/min`, `1/30s`, `0.6/min` → events per second. */
export function parseRate(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = RATE_TEXT.exec(value.trim());
  if (match === null) return undefined;
  const count = Number((match[1] ?? '').replaceAll('_', ''));
  const per = match[2] === '' || match[2] === undefined ? 1 : Number(match[2]);
  const unitMs = UNIT_MS[match[3] ?? ''];
  if (unitMs === undefined || !(per > 0)) return undefined;
  return count / ((per * unitMs) / 1000);
}

/** `0.4` or `40%` → 0.4 (not range-checked: callers say what range they need). */
export function parseFractionText(text: string): number | undefined {
  const trimmed = text.trim();
  if (!trimmed.endsWith('%')) return parseNumberText(trimmed);
  const percent = parseNumberText(trimmed.slice(0, -1));
  return percent === undefined ? undefined : percent / 100;
}

/** `5400000` → `1h30m`: the inverse of `parseDuration`, for output. */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const parts = [hours > 0 ? `${hours}h` : '', minutes > 0 ? `${minutes}m` : '', seconds > 0 ? `${seconds}s` : ''];
  return parts.join('') || '0s';
}
