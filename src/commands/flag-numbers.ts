import { UsageError } from '../errors.js';
import { parseNumberText } from '../scenarios/unit-text.js';

/** A flag's number; `min` is exclusive unless `orEqual`. Throws a one-line UsageError naming the flag. */
export function parseFlagNumber(flag: string, raw: string, min: number, orEqual: boolean): number {
  const value = parseNumberText(raw);
  if (value === undefined || value < min || (!orEqual && value === min)) {
    const expected = min === 0 && !orEqual ? 'a positive number' : `a number ${orEqual ? '≥' : '>'} ${min}`;
    throw new UsageError(`${flag}: expected ${expected}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** A flag's whole number ≥ `min`. Throws a one-line UsageError naming the flag. */
export function parseFlagCount(flag: string, raw: string, min: number): number {
  const value = parseNumberText(raw);
  if (value === undefined || !Number.isInteger(value) || value < min) {
    throw new UsageError(`${flag}: expected a whole number ≥ ${min}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** A number for people: at most `digits` significant digits, no trailing zeros. */
export function formatNumber(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return value > 0 ? '∞' : String(value);
  return String(Number(value.toPrecision(digits)));
}
