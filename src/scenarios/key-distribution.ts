import type { KeyDistribution } from './schema.js';

const EXACT_TERMS = 100_000;

/**
 * The generalised harmonic number H(n, s) = Σ k^−s, k = 1..n: exact up to 10⁵ terms, then the
 * Euler–Maclaurin tail, so a zipf over 10⁸ rooms costs the same as one over 10⁵.
 */
export function harmonicNumber(n: number, s: number): number {
  const exactUpTo = Math.min(n, EXACT_TERMS);
  let sum = 0;
  // Smallest terms first, for floating-point accuracy.
  for (let k = exactUpTo; k >= 1; k--) sum += k ** -s;
  if (n <= exactUpTo) return sum;
  const a = exactUpTo;
  const b = n;
  const f = (x: number) => x ** -s;
  const derivative = (x: number) => -s * x ** (-s - 1);
  const integral = s === 1 ? Math.log(b / a) : (b ** (1 - s) - a ** (1 - s)) / (1 - s);
  // Σ_{k=a+1..b} f(k) ≈ ∫_a^b f + (f(b) − f(a))/2 + (f'(b) − f'(a))/12
  return sum + integral + (f(b) - f(a)) / 2 + (derivative(b) - derivative(a)) / 12;
}

function baseShare(key: KeyDistribution, value: string | number): number {
  const numeric = typeof value === 'number' ? value : Number(value);
  if (key.zipf !== undefined) {
    const rank = numeric - key.zipf.first + 1;
    if (!Number.isInteger(rank) || rank < 1 || rank > key.zipf.n) return 0;
    return rank ** -key.zipf.s / harmonicNumber(key.zipf.n, key.zipf.s);
  }
  if (key.uniform !== undefined) {
    const { min, max } = key.uniform;
    return Number.isInteger(numeric) && numeric >= min && numeric <= max ? 1 / (max - min + 1) : 0;
  }
  if (key.values !== undefined) {
    const hits = key.values.filter((candidate) => String(candidate) === String(value)).length;
    return hits / key.values.length;
  }
  if (key.shadow_range !== undefined) {
    const [low, high] = key.shadow_range;
    return Number.isInteger(numeric) && numeric >= low && numeric <= high ? 1 / (high - low + 1) : 0;
  }
  return 0;
}

/** The value of the base distribution drawn most often (zipf rank 1, or any value of a flat one). */
function baseHead(key: KeyDistribution): string | number | undefined {
  if (key.zipf !== undefined) return key.zipf.first;
  if (key.uniform !== undefined) return key.uniform.min;
  if (key.values !== undefined) return mostFrequent(key.values);
  if (key.shadow_range !== undefined) return key.shadow_range[0];
  return undefined;
}

function mostFrequent(values: ReadonlyArray<string | number>): string | number | undefined {
  const counts = new Map<string, { value: string | number; count: number }>();
  for (const value of values) {
    const entry = counts.get(String(value)) ?? { value, count: 0 };
    entry.count += 1;
    counts.set(String(value), entry);
  }
  let best: { value: string | number; count: number } | undefined;
  for (const entry of counts.values()) if (best === undefined || entry.count > best.count) best = entry;
  return best?.value;
}

/** Share of all draws that land on `value`: its hot share plus what the base distribution gives it. */
export function keyShare(key: KeyDistribution, value: string | number): number {
  const hot = key.hot ?? [];
  const hotShare = hot.filter((entry) => String(entry.value) === String(value)).reduce((sum, entry) => sum + entry.share, 0);
  const rest = 1 - hot.reduce((sum, entry) => sum + entry.share, 0);
  return hotShare + rest * baseShare(key, value);
}

/** The single value drawn most often, and its share: the key a hot-key risk is about. */
export function busiestKey(key: KeyDistribution): { value: string | number; share: number } | undefined {
  const candidates = [...(key.hot ?? []).map((entry) => entry.value)];
  const head = baseHead(key);
  if (head !== undefined) candidates.push(head);
  let best: { value: string | number; share: number } | undefined;
  for (const value of candidates) {
    const share = keyShare(key, value);
    if (best === undefined || share > best.share) best = { value, share };
  }
  return best;
}
