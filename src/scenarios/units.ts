import { z } from 'zod';
import { DURATION_TEXT, NUMBER_TEXT, parseDuration, parseFractionText, parseNumberText, parseRate, RATE_TEXT } from './unit-text.js';

/**
 * Scalars people write in scenario files: durations (`30s`), rates (`120/s`), fractions (`0.9`, `90%`)
 * and numbers with `_` separators (`3_000_000`). Each schema below also knows its JSON Schema shape,
 * because the runtime side is a transform that JSON Schema cannot express.
 */

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

function fromNumberText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return parseNumberText(value) ?? value;
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
