import { FaultProxyError, type ToxicType } from './proxy-model.js';

/** Each toxic's attributes and their units, as Toxiproxy names them; all are integers and default to 0. */
const ATTRIBUTES: Record<ToxicType, Record<string, string>> = {
  latency: { latency: 'milliseconds', jitter: 'milliseconds' },
  bandwidth: { rate: 'KB/s' },
  slow_close: { delay: 'milliseconds' },
  timeout: { timeout: 'milliseconds' },
  reset_peer: { timeout: 'milliseconds' },
  slicer: { average_size: 'bytes', size_variation: 'bytes', delay: 'microseconds' },
  limit_data: { bytes: 'bytes' },
};

// setTimeout cannot wait longer (it would fire after 1 ms instead), so no duration may exceed it.
const LONGEST_WAIT_MS = 2_147_483_647;

/**
 * Overlays `given` on `base` and checks the result: unknown names are refused (a typo must not
 * silently inject nothing), values are whole numbers, and only bandwidth's `rate` may be negative
 * (Toxiproxy reads rate ≤ 0 as unlimited).
 */
export function checkAttributes(type: ToxicType, base: Record<string, number>, given: unknown): Record<string, number> {
  const units = ATTRIBUTES[type];
  const attributes: Record<string, number> = {};
  for (const name of Object.keys(units)) attributes[name] = base[name] ?? 0;
  if (given === undefined || given === null) return attributes;
  if (typeof given !== 'object' || Array.isArray(given)) throw new FaultProxyError(400, 'bad request body: attributes must be an object');
  for (const [name, value] of Object.entries(given)) {
    const unit = units[name];
    if (unit === undefined) {
      throw new FaultProxyError(400, `bad request body: ${type} has no attribute ${JSON.stringify(name)} (it has ${Object.keys(units).join(', ')})`);
    }
    const lowest = name === 'rate' ? -LONGEST_WAIT_MS : 0;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < lowest || value > LONGEST_WAIT_MS) {
      const range = lowest === 0 ? `from 0 to ${LONGEST_WAIT_MS}` : 'a whole number (≤ 0 means unlimited)';
      throw new FaultProxyError(400, `bad request body: ${type}.${name} must be a whole number of ${unit} ${range}, got ${JSON.stringify(value)}`);
    }
    attributes[name] = value;
  }
  if (type === 'slicer') checkSlicer(attributes);
  return attributes;
}

// Toxiproxy's slicer panics on average_size 0 and documents size_variation < average_size.
function checkSlicer(attributes: Record<string, number>): void {
  const average = attributes['average_size'] ?? 0;
  const variation = attributes['size_variation'] ?? 0;
  if (average < 1) throw new FaultProxyError(400, 'bad request body: slicer.average_size must be at least 1 byte');
  if (variation >= average) throw new FaultProxyError(400, 'bad request body: slicer.size_variation must be less than average_size');
}
