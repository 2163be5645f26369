import { UsageError } from '../errors.js';
import { parseDuration } from '../scenarios/unit-text.js';

/** `30d`, `12h`, `2d12h`: how old a rehearsal may be; durations elsewhere stop at hours, ages need days. */
export function parseAgeFlag(text: string, flag: string): number {
  const days = /^(\d+(?:\.\d+)?)d(.*)$/.exec(text.trim());
  const rest = days === null ? text.trim() : days[2] ?? '';
  const restMs = rest === '' ? 0 : parseDuration(rest);
  const ms = (days === null ? 0 : Number(days[1]) * 86_400_000) + (restMs ?? Number.NaN);
  if (!Number.isFinite(ms) || ms <= 0) throw new UsageError(`${flag}: expected an age like 30d, 12h or 2d12h, got ${JSON.stringify(text)}`);
  return ms;
}
