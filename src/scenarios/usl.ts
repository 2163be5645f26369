/**
 * The Universal Scalability Law: X(N) = λN / (1 + σ(N−1) + κN(N−1)), fitted to measurements by
 * bounded Levenberg–Marquardt from several starts. Formulas: shared/reference/capacity-models.md.
 */

export interface UslPoint {
  concurrency: number;
  throughput: number;
}

interface UslCoefficients {
  sigma: number;
  kappa: number;
  lambda: number;
}

export interface UslFit extends UslCoefficients {
  /** 1 − SSE/SST on the measured throughputs. */
  r2: number;
  /** Where throughput stops growing: N = 1 when σ = 1; null when κ = 0 and σ < 1 (no retrograde region). */
  peak: { concurrency: number; throughput: number } | null;
  /** λ/σ, the limit throughput approaches when κ = 0 and 0 < σ < 1; null otherwise. */
  amdahl_ceiling: number | null;
  points: number;
}

export function uslThroughput(fit: UslCoefficients, n: number): number {
  return (fit.lambda * n) / (1 + fit.sigma * (n - 1) + fit.kappa * n * (n - 1));
}

/** [σ, κ, λ]; λ in throughputs normalised to a maximum of 1 while fitting. */
type Vec3 = readonly [number, number, number];
type Sample = { n: number; x: number };
type Evaluation = { params: Vec3; sse: number; jtj: readonly [Vec3, Vec3, Vec3]; grad: Vec3 };

const clamp = ([s, k, l]: Vec3): Vec3 => [Math.min(1, Math.max(0, s)), Math.min(1, Math.max(0, k)), Math.max(0, l)];

/** SSE, JᵀJ and Jᵀr at `params`, with the analytic Jacobian of X(N) in σ, κ and λ. */
function evaluate(data: readonly Sample[], params: Vec3): Evaluation {
  const [s, k, l] = params;
  let sse = 0, a00 = 0, a01 = 0, a02 = 0, a11 = 0, a12 = 0, a22 = 0, g0 = 0, g1 = 0, g2 = 0;
  for (const { n, x } of data) {
    const d = 1 + s * (n - 1) + k * n * (n - 1);
    const r = (l * n) / d - x;
    const j0 = (-l * n * (n - 1)) / (d * d);
    const j1 = j0 * n;
    const j2 = n / d;
    sse += r * r;
    a00 += j0 * j0; a01 += j0 * j1; a02 += j0 * j2; a11 += j1 * j1; a12 += j1 * j2; a22 += j2 * j2;
    g0 += j0 * r; g1 += j1 * r; g2 += j2 * r;
  }
  return { params, sse, jtj: [[a00, a01, a02], [a01, a11, a12], [a02, a12, a22]], grad: [g0, g1, g2] };
}

/**
 * Solves (Â + μI)·y = −ĝ in Jacobi-scaled coordinates (σ, κ and λ differ by orders of magnitude,
 * so the unscaled normal equations are badly conditioned); frozen parameters do not move.
 */
function dampedStep(e: Evaluation, mu: number, [f0, f1, f2]: readonly [boolean, boolean, boolean]): Vec3 {
  const [[a00, a01, a02], [, a11, a12], [, , a22]] = e.jtj;
  const [g0, g1, g2] = e.grad;
  const s0 = Math.sqrt(a00), s1 = Math.sqrt(a11), s2 = Math.sqrt(a22);
  const off = (fi: boolean, fj: boolean, a: number, si: number, sj: number): number => (fi && fj ? a / (si * sj) : 0);
  const q = off(f0, f1, a01, s0, s1), r = off(f0, f2, a02, s0, s2), u = off(f1, f2, a12, s1, s2);
  const p = f0 ? 1 + mu : 1, t = f1 ? 1 + mu : 1, w = f2 ? 1 + mu : 1;
  const b0 = f0 ? -g0 / s0 : 0, b1 = f1 ? -g1 / s1 : 0, b2 = f2 ? -g2 / s2 : 0;
  // Cramer's rule on the symmetric 3×3 system [[p,q,r],[q,t,u],[r,u,w]].
  const det3 = (a: Vec3, b: Vec3, c: Vec3): number =>
    a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) + a[2] * (b[0] * c[1] - b[1] * c[0]);
  const det = det3([p, q, r], [q, t, u], [r, u, w]);
  const y0 = det3([b0, q, r], [b1, t, u], [b2, u, w]) / det;
  const y1 = det3([p, b0, r], [q, b1, u], [r, b2, w]) / det;
  const y2 = det3([p, q, b0], [q, t, b1], [r, u, b2]) / det;
  return [f0 ? y0 / s0 : 0, f1 ? y1 / s1 : 0, f2 ? y2 / s2 : 0];
}

/** A parameter is frozen for a step when it sits on a bound and the descent direction leaves the box. */
function freeParameters(e: Evaluation, fixKappa: boolean): [boolean, boolean, boolean] {
  const [s, k, l] = e.params;
  const [g0, g1, g2] = e.grad;
  const [[a00], [, a11], [, , a22]] = e.jtj;
  const movable = (value: number, g: number, curvature: number, upper: number): boolean =>
    curvature > 0 && !(value <= 0 && g > 0) && !(value >= upper && g < 0);
  return [movable(s, g0, a00, 1), !fixKappa && movable(k, g1, a11, 1), movable(l, g2, a22, Number.POSITIVE_INFINITY)];
}

function levenbergMarquardt(data: readonly Sample[], start: Vec3, fixKappa: boolean): Evaluation {
  let current = evaluate(data, clamp(start));
  let mu = 1e-3;
  for (let iteration = 0; iteration < 500 && current.sse > 0; iteration += 1) {
    const free = freeParameters(current, fixKappa);
    if (!free.includes(true)) break;
    let improved = false;
    while (mu < 1e12) {
      const [d0, d1, d2] = dampedStep(current, mu, free);
      const [s, k, l] = current.params;
      const candidate = evaluate(data, clamp([s + d0, k + d1, l + d2]));
      if (Number.isFinite(candidate.sse) && candidate.sse < current.sse) {
        const gain = current.sse - candidate.sse;
        current = candidate;
        mu = Math.max(mu / 3, 1e-15);
        improved = gain > 1e-14 * candidate.sse;
        break;
      }
      mu *= 4;
    }
    if (!improved) break;
  }
  return current;
}

function validatePoints(points: readonly UslPoint[]): void {
  for (const [index, { concurrency, throughput }] of points.entries()) {
    if (!(Number.isFinite(concurrency) && concurrency > 0)) {
      throw new RangeError(`point ${index + 1}: concurrency must be a finite number > 0, got ${concurrency}`);
    }
    if (!(Number.isFinite(throughput) && throughput >= 0)) {
      throw new RangeError(`point ${index + 1}: throughput must be a finite number ≥ 0, got ${throughput}`);
    }
  }
  const distinct = new Set(points.map((point) => point.concurrency)).size;
  if (distinct < 3) throw new RangeError(`the USL needs measurements at 3 or more distinct concurrencies, found ${distinct}`);
  if (points.every((point) => point.throughput === 0)) throw new RangeError('every throughput is 0: there is nothing to fit');
}

const STARTS: ReadonlyArray<readonly [number, number]> = [
  [0.01, 0.0001], [0, 0], [0.1, 0.001], [0.001, 0.000001], [0.05, 0], [0.3, 0.01], [0.5, 0.1], [0.9, 0.5],
];

export function fitUsl(points: readonly UslPoint[]): UslFit {
  validatePoints(points);
  const scale = Math.max(...points.map((point) => point.throughput));
  const data = points.map((point) => ({ n: point.concurrency, x: point.throughput / scale }));
  const lambda0 = Math.max(...data.map((sample) => sample.x / sample.n));
  const fits = STARTS.map(([s, k]) => levenbergMarquardt(data, [s, k, lambda0], false));
  let best = fits.reduce((a, b) => (b.sse < a.sse ? b : a));
  // An unconstrained run can creep towards κ = 0 without landing on it; when the κ = 0 model fits
  // as well (to rounding), report it, so that "no peak, Amdahl ceiling" is not hidden behind κ ≈ 1e-15.
  const amdahl = levenbergMarquardt(data, [0.05, 0, lambda0], true);
  if (best.params[1] !== 0 && amdahl.sse <= best.sse * (1 + 1e-9) + 1e-24) best = amdahl;

  const [sigma, kappa, lambdaScaled] = best.params;
  const coefficients: UslCoefficients = { sigma, kappa, lambda: lambdaScaled * scale };
  const mean = points.reduce((sum, point) => sum + point.throughput, 0) / points.length;
  let sse = 0;
  let sst = 0;
  for (const point of points) {
    sse += (point.throughput - uslThroughput(coefficients, point.concurrency)) ** 2;
    sst += (point.throughput - mean) ** 2;
  }
  const r2 = sst === 0 ? (sse <= 1e-20 * scale * scale ? 1 : 0) : 1 - sse / sst;
  const peak = peakOf(coefficients);
  const ceiling = peak === null && sigma > 0 ? coefficients.lambda / sigma : null;
  return { ...coefficients, r2, peak, amdahl_ceiling: ceiling, points: points.length };
}

function peakOf(fit: UslCoefficients): UslFit['peak'] {
  // With σ ≥ 1, X(N) = λN / (N + κN(N−1)) (σ = 1) never grows past X(1) = λ: a flat or falling curve.
  if (fit.sigma >= 1) return { concurrency: 1, throughput: fit.lambda };
  if (fit.kappa <= 0) return null;
  // Below N = 1 the law does not describe a real system; a peak there means "never scales".
  const concurrency = Math.max(1, Math.sqrt((1 - fit.sigma) / fit.kappa));
  return { concurrency, throughput: uslThroughput(fit, concurrency) };
}

/**
 * The concurrency that yields `throughput` before the peak: the smaller root of
 * κX·N² + (σX − κX − λ)·N + X(1−σ) = 0, or null when that throughput is never reached. Never
 * below 1 (the law does not describe fewer than one request in flight): any X ≤ X(1) = λ needs 1;
 * X = 0 needs nothing.
 */
export function concurrencyForThroughput(fit: UslCoefficients, throughput: number): number | null {
  if (!(Number.isFinite(throughput) && throughput >= 0)) {
    throw new RangeError(`throughput must be a finite number ≥ 0, got ${throughput}`);
  }
  const { sigma, kappa, lambda } = fit;
  if (throughput === 0) return 0;
  if (throughput <= lambda) return 1;
  const peak = peakOf(fit);
  if (peak !== null && throughput > peak.throughput) return null;
  const c = throughput * (1 - sigma);
  const b = lambda + kappa * throughput - sigma * throughput;
  if (kappa === 0) {
    // Linear in N: N(λ − σX) = X(1−σ); reachable only below the Amdahl ceiling λ/σ.
    const slope = lambda - sigma * throughput;
    return slope > 0 ? Math.max(1, c / slope) : null;
  }
  let discriminant = b * b - 4 * kappa * throughput * c;
  // At the peak the two roots coincide; rounding must not turn the peak itself into "unreachable".
  if (discriminant < 0 && discriminant > -1e-12 * b * b) discriminant = 0;
  if (discriminant < 0 || b <= 0) return null;
  // 2c / (b + √Δ) is the smaller root without the cancellation of b − √Δ when 4κXc ≪ b².
  const root = (2 * c) / (b + Math.sqrt(discriminant));
  // X(1) = λ < X, so the root is above 1 but for rounding.
  return Number.isFinite(root) ? Math.max(1, root) : null;
}
