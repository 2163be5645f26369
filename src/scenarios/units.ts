import { z } from 'zod';

/**
 * Scalars people write in scenario files: durations (`30s`), rates (`120/s`), fractions (`0.9`, `90%`)
 * and numbers with `_` separators (`3_000_000`). Each schema below also knows its JSON Schema shape,
 * because the runtime side is a transform that JSON Schema cannot express.
 */

const NUMBER_TEXT = /^[+-]?(\d+(_\d+)*)(\.\d+(_\d+)*)?([eE][+-]?\d+)?$/;
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
const DURATION_TEXT = /^(\d+(?:\.\d+)?(ms|s|m|h))+$/;
const RATE_TEXT = /^(\d+(?:_\d+)*(?:\.\d+)?)\s*\/\s*(\d*(?:\.\d+)?)\s*(ms|s|sec|m|min|h|hour)$/;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000, hour: 3_600_000 };

/** Meta key marking a unit-bearing scalar, so the JSON Schema generator can describe its written form. */
export const SCALAR_META_KEY = 'x-live-assure-scalar';
type ScalarKind = 'number' | 'fraction' | 'duration' | 'rate';

function scalar<T extends z.ZodType>(schema: T, kind: ScalarKind): T {
  return schema.meta({ [SCALAR_META_KEY]: kind });
}

/**
 * The JSON Schema of a scalar as written in YAML: numbers may also be `_`-separated strings, fractions
 * percentages; durations and rates are strings. `generated` is what zod made of the parsed side.
 */
export function scalarJsonSchema(kind: unknown, generated: Record<string, unknown>): Record<string, unknown> | undefined {
  const { description, [SCALAR_META_KEY]: _marker, ...numeric } = generated;
  const described = description === undefined ? {} : { description };
  switch (kind) {
    case 'number':
      return { anyOf: [numeric, { type: 'string', pattern: NUMBER_TEXT.source }], ...described };
    case 'fraction':
      return { anyOf: [numeric, { type: 'string', pattern: '^\\d+(\\.\\d+)?%$' }], ...described };
    case 'duration':
      return { anyOf: [{ type: 'string', pattern: DURATION_TEXT.source }, { const: 0 }], examples: ['30s', '5m', '1h30m'], ...described };
    case 'rate':
      return { type: 'string', pattern: RATE_TEXT.source, examples: ['120/s', '0.6/min', '1/30s'], ...described };
    default:
      return undefined;
  }
}

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

function fromNumberText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return parseNumberText(value) ?? value;
}

/** `0.4` or `40%` → 0.4 (not range-checked: callers say what range they need). */
export function parseFractionText(text: string): number | undefined {
  const trimmed = text.trim();
  if (!trimmed.endsWith('%')) return parseNumberText(trimmed);
  const percent = parseNumberText(trimmed.slice(0, -1));
  return percent === undefined ? undefined : percent / 100;
}

function fromPercentText(value: unknown): unknown {
  return typeof value === 'string' ? (parseFractionText(value) ?? value) : value;
}

/** A number, also written with `_` separators (`3_000_000`). */
export function num(inner: z.ZodNumber = z.number()) {
  return scalar(z.preprocess(fromNumberText, inner), 'number');
}

/** A whole number ≥ 0 (`_` separators allowed). */
export function count() {
  return num(z.number().int('expected a whole number').nonnegative('must be ≥ 0'));
}

/** A share between 0 and 1, written as `0.3` or `30%`. */
export function fraction(options: { max?: 'inclusive' | 'exclusive' } = {}) {
  const base = z.number().min(0, 'must be between 0 and 1 (write 0.4 or 40%)');
  const inner =
    options.max === 'exclusive' ? base.lt(1, 'must be below 1 (write 0.4 or 40%)') : base.max(1, 'must be between 0 and 1 (write 0.4 or 40%)');
  return scalar(z.preprocess(fromPercentText, inner), 'fraction');
}

/** A string scalar read by `parse`; anything it rejects is an issue that shows the written form expected. */
function textScalar(kind: 'duration' | 'rate', parse: (value: unknown) => number | undefined, expected: string) {
  return scalar(
    z.unknown().transform((value, ctx): number => {
      const parsed = parse(value);
      if (parsed === undefined) {
        ctx.addIssue({ code: 'custom', message: `expected ${expected}, got ${JSON.stringify(value)}` });
        return z.NEVER;
      }
      return parsed;
    }),
    kind,
  );
}

/** A duration in milliseconds, written `30s`, `5m`, `1h30m`, `250ms`. */
export function duration() {
  return textScalar('duration', parseDuration, 'a duration like "30s", "5m" or "1h"');
}

/** A rate in events per second, written `120/s`, `3/min`, `1/30s`. */
export function rate() {
  return textScalar('rate', parseRate, 'a rate like "120/s", "3/min" or "1/30s"');
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
