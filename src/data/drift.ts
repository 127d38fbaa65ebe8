/**
 * Distribution shift statistics, in plain TypeScript so the data checks (train
 * against validation and test) and monitoring (a profile against live traffic)
 * compute them the same way: PSI, Jensen–Shannon distance, Wasserstein-1,
 * the two-sample Kolmogorov–Smirnov test and the chi-square test of
 * homogeneity, plus `compareDistributions`, which picks among them as
 * Evidently does by default.
 *
 * Most functions take binned counts: two arrays over the same bins (a
 * profile's histogram), missing values left out.
 */

/** Thresholds for distribution shift, as in the spec's `checks.drift`. */
export interface DriftThresholds {
  readonly psi: number;
  readonly jensen_shannon: number;
  /** In units of the reference standard deviation. */
  readonly wasserstein: number;
  /** Significance of KS / chi-square, used at or below `small_sample` reference rows. */
  readonly p_value: number;
  readonly small_sample: number;
}

/** The spec's defaults (Evidently's): `checks.drift` when nothing is set. */
export const DEFAULT_DRIFT_THRESHOLDS: DriftThresholds = {
  psi: 0.2,
  jensen_shannon: 0.1,
  wasserstein: 0.1,
  p_value: 0.05,
  small_sample: 1000,
};

/**
 * PSI's stand-in for an empty bin's share, so that ln(p/q) stays finite. It
 * replaces the share (not the count) and the shares are not renormalised,
 * exactly as Evidently's `get_binned_data(..., fill_zeroes=True)` does; a bin
 * empty on both sides then contributes 0.
 */
export const PSI_EPSILON = 1e-4;

/** Evidently's floor on the reference standard deviation that normalises Wasserstein. */
export const MIN_WASSERSTEIN_STD = 0.001;

function total(counts: readonly number[]): number {
  let sum = 0;
  for (const c of counts) sum += c;
  return sum;
}

function sameLength(reference: readonly number[], current: readonly number[]): void {
  if (reference.length !== current.length) {
    throw new RangeError(
      `the two distributions have different bins (${reference.length} and ${current.length})`,
    );
  }
}

/** Each count as a share of the total (all zeros when the total is 0). */
export function proportions(counts: readonly number[]): number[] {
  const sum = total(counts);
  return counts.map((c) => (sum > 0 ? c / sum : 0));
}

/**
 * Population stability index, Σ (p − q)·ln(p/q) over the bins' shares, with
 * empty shares replaced by {@link PSI_EPSILON}. Rule of thumb: < 0.1 stable,
 * 0.1–0.2 moderate, > 0.2 significant shift.
 *
 * @example
 * psi([50, 50], [40, 60]); // 0.1·ln(0.5/0.4) + 0.1·ln(0.6/0.5) ≈ 0.0405
 */
export function psi(reference: readonly number[], current: readonly number[]): number {
  sameLength(reference, current);
  const p = proportions(reference);
  const q = proportions(current);
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i]! > 0 ? p[i]! : PSI_EPSILON;
    const b = q[i]! > 0 ? q[i]! : PSI_EPSILON;
    sum += (a - b) * Math.log(a / b);
  }
  return sum;
}

/**
 * Jensen–Shannon distance in base 2, in [0, 1]: the square root of the
 * Jensen–Shannon divergence between the two bins' shares (scipy's
 * `jensenshannon(p, q, base=2)`). Evidently calls scipy with the natural log,
 * whose distance is this one times √ln 2 ≈ 0.833; the same threshold is
 * therefore slightly stricter here.
 *
 * @example
 * jensenShannon([1, 0], [0, 1]); // 1
 */
export function jensenShannon(reference: readonly number[], current: readonly number[]): number {
  sameLength(reference, current);
  const p = proportions(reference);
  const q = proportions(current);
  let divergence = 0;
  for (let i = 0; i < p.length; i++) {
    const m = (p[i]! + q[i]!) / 2;
    if (p[i]! > 0) divergence += 0.5 * p[i]! * Math.log2(p[i]! / m);
    if (q[i]! > 0) divergence += 0.5 * q[i]! * Math.log2(q[i]! / m);
  }
  return Math.sqrt(Math.min(1, Math.max(0, divergence)));
}

/**
 * Wasserstein-1 (earth mover's) distance between two binned distributions
 * whose bins are represented by the ascending `points` (for a profile's
 * histogram: each bin's upper edge, the last bin's being the reference
 * maximum): ∫|F − G| taken as Σ |F_i − G_i|·(points[i+1] − points[i]). It is
 * exact when each bin holds a single value and a Riemann sum otherwise; shifts
 * within a bin, and beyond the outermost points, are not seen.
 *
 * @example
 * wassersteinBinned([1, 0], [0, 1], [0, 5]); // 5
 */
export function wassersteinBinned(
  reference: readonly number[],
  current: readonly number[],
  points: readonly number[],
): number {
  sameLength(reference, current);
  sameLength(reference, points);
  const p = proportions(reference);
  const q = proportions(current);
  let cumP = 0;
  let cumQ = 0;
  let sum = 0;
  for (let i = 0; i < p.length - 1; i++) {
    cumP += p[i]!;
    cumQ += q[i]!;
    sum += Math.abs(cumP - cumQ) * (points[i + 1]! - points[i]!);
  }
  return sum;
}

function sorted(values: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(values).filter((v) => !Number.isNaN(v));
  return out.sort();
}

/**
 * Wasserstein-1 distance between two numeric samples, ∫|F − G| over their
 * empirical CDFs (scipy's `wasserstein_distance(u, v)`). NaN is ignored.
 *
 * @example
 * wassersteinSamples([0, 1, 3], [5, 6, 8]); // 5
 */
export function wassersteinSamples(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const x = sorted(a);
  const y = sorted(b);
  if (x.length === 0 || y.length === 0) return Number.NaN;
  let i = 0;
  let j = 0;
  let sum = 0;
  let previous = Math.min(x[0]!, y[0]!);
  while (i < x.length || j < y.length) {
    const next = j >= y.length || (i < x.length && x[i]! <= y[j]!) ? x[i]! : y[j]!;
    sum += Math.abs(i / x.length - j / y.length) * (next - previous);
    previous = next;
    while (i < x.length && x[i] === next) i++;
    while (j < y.length && y[j] === next) j++;
  }
  return sum;
}

/** A test's statistic and its p-value. */
export interface TestResult {
  readonly statistic: number;
  readonly pValue: number;
}

/**
 * Survival function of the Kolmogorov distribution, P(K > x), the limit of
 * √n·Dₙ (scipy's `special.kolmogorov`). Two series: the alternating one
 * converges fast for large x, the Jacobi-transformed one for small x.
 */
export function kolmogorovSf(x: number): number {
  if (!(x > 0)) return 1;
  if (x < 1.18) {
    // P(K ≤ x) = √(2π)/x · Σ_{k≥1} exp(−(2k−1)²π²/(8x²))
    const t = (Math.PI * Math.PI) / (8 * x * x);
    let cdf = 0;
    for (let k = 1; k <= 20; k++) cdf += Math.exp(-(2 * k - 1) * (2 * k - 1) * t);
    return Math.min(1, Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / x) * cdf));
  }
  // P(K > x) = 2 Σ_{k≥1} (−1)^{k−1} exp(−2k²x²)
  let sf = 0;
  for (let k = 1; k <= 20; k++) sf += (k % 2 === 1 ? 2 : -2) * Math.exp(-2 * k * k * x * x);
  return Math.min(1, Math.max(0, sf));
}

/** Asymptotic two-sided p-value of the two-sample KS statistic `d` for sizes n and m. */
function ksPValue(d: number, n: number, m: number): number {
  if (n === 0 || m === 0) return 1;
  return kolmogorovSf(Math.sqrt((n * m) / (n + m)) * d);
}

/**
 * Two-sample Kolmogorov–Smirnov test: D = sup|F − G| over the empirical CDFs
 * (scipy's `ks_2samp` statistic), with the asymptotic p-value
 * P(K > √(nm/(n+m))·D) of the Kolmogorov distribution (scipy's
 * `kstwobign`; `ks_2samp` itself uses exact distributions for small samples).
 * NaN is ignored.
 *
 * @example
 * ksSamples([1, 2, 3, 4], [5, 6, 7, 8]).statistic; // 1
 */
export function ksSamples(a: ArrayLike<number>, b: ArrayLike<number>): TestResult {
  const x = sorted(a);
  const y = sorted(b);
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const next = Math.min(x[i]!, y[j]!);
    while (i < x.length && x[i] === next) i++;
    while (j < y.length && y[j] === next) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return { statistic: d, pValue: ksPValue(d, x.length, y.length) };
}

/**
 * The KS test on binned counts: D is the largest gap between the two CDFs at
 * the bin edges, a lower bound of the D of the unbinned samples (so the test
 * is conservative); n and m are the two totals.
 */
export function ksBinned(reference: readonly number[], current: readonly number[]): TestResult {
  sameLength(reference, current);
  const p = proportions(reference);
  const q = proportions(current);
  let cumP = 0;
  let cumQ = 0;
  let d = 0;
  for (let i = 0; i < p.length; i++) {
    cumP += p[i]!;
    cumQ += q[i]!;
    d = Math.max(d, Math.abs(cumP - cumQ));
  }
  return { statistic: d, pValue: ksPValue(d, total(reference), total(current)) };
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: about 15 significant digits). */
export function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let sum = c[0]!;
  for (let i = 1; i < 9; i++) sum += c[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

const GAMMA_EPS = 1e-15;
const GAMMA_MAX_ITERATIONS = 10_000;

/**
 * Regularised upper incomplete gamma function Q(a, x) = Γ(a, x)/Γ(a) (scipy's
 * `gammaincc`): the power series of P for x < a + 1, Lentz's continued
 * fraction for Q otherwise (Numerical Recipes §6.2).
 */
export function regularizedGammaQ(a: number, x: number): number {
  if (!(a > 0) || Number.isNaN(x)) return Number.NaN;
  if (x <= 0) return 1;
  if (x === Number.POSITIVE_INFINITY) return 0;
  const prefix = Math.exp(-x + a * Math.log(x) - logGamma(a));
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < GAMMA_MAX_ITERATIONS; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * GAMMA_EPS) break;
    }
    return Math.min(1, Math.max(0, 1 - sum * prefix));
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < GAMMA_MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < GAMMA_EPS) break;
  }
  return Math.min(1, Math.max(0, h * prefix));
}

/** Regularised lower incomplete gamma function P(a, x) = 1 − Q(a, x) (scipy's `gammainc`). */
export function regularizedGammaP(a: number, x: number): number {
  return 1 - regularizedGammaQ(a, x);
}

/**
 * Survival function of the chi-square distribution with `df` degrees of
 * freedom, P(X > x) = Q(df/2, x/2).
 *
 * @example
 * chiSquareSf(3.84, 1); // 0.05004
 */
export function chiSquareSf(x: number, df: number): number {
  return regularizedGammaQ(df / 2, x / 2);
}

/** A chi-square test's statistic, degrees of freedom and p-value. */
export interface ChiSquareResult extends TestResult {
  readonly df: number;
}

/**
 * Chi-square test of homogeneity on the 2 × k table of the two samples'
 * counts (scipy's `chi2_contingency(table, correction=False)`); bins empty on
 * both sides are dropped. With two bins it equals the two-proportion z-test
 * Evidently uses for binary columns (χ² = z²).
 *
 * @example
 * chiSquareHomogeneity([10, 20], [20, 10]).pValue; // 0.0098
 */
export function chiSquareHomogeneity(
  reference: readonly number[],
  current: readonly number[],
): ChiSquareResult {
  sameLength(reference, current);
  const n = total(reference);
  const m = total(current);
  const used: number[] = [];
  for (let i = 0; i < reference.length; i++) {
    if (reference[i]! + current[i]! > 0) used.push(i);
  }
  if (n === 0 || m === 0 || used.length < 2) return { statistic: 0, df: 0, pValue: 1 };
  let statistic = 0;
  for (const i of used) {
    const column = reference[i]! + current[i]!;
    const expectedReference = (column * n) / (n + m);
    const expectedCurrent = (column * m) / (n + m);
    statistic += (reference[i]! - expectedReference) ** 2 / expectedReference;
    statistic += (current[i]! - expectedCurrent) ** 2 / expectedCurrent;
  }
  const df = used.length - 1;
  return { statistic, df, pValue: chiSquareSf(statistic, df) };
}

/** A binned distribution: counts per bin, missing values left out. */
export interface BinnedDistribution {
  readonly counts: readonly number[];
}

/** A numeric reference also says where its bins lie and how spread it is. */
export interface NumericReference extends BinnedDistribution {
  /** A value standing for each bin, ascending (see {@link wassersteinBinned}). */
  readonly points: readonly number[];
  /** The reference's (population) standard deviation. */
  readonly std: number;
}

export type DriftMethod = 'wasserstein' | 'jensen_shannon' | 'ks' | 'chi_square';

/** The outcome of one comparison, as shown in a finding or a monitoring window. */
export interface DriftResult {
  readonly method: DriftMethod;
  /** Wasserstein (normed by the reference std), JS distance, KS D or χ². */
  readonly statistic: number;
  /** KS and chi-square: the test's p-value. */
  readonly pValue?: number;
  /**
   * Distances drift when `statistic ≥ threshold`; tests when
   * `pValue < threshold` (Evidently's convention).
   */
  readonly threshold: number;
  readonly drifted: boolean;
  /** PSI over the same bins, always reported beside the method's statistic. */
  readonly psi: number;
  readonly psiThreshold: number;
  readonly psiDrifted: boolean;
  readonly referenceRows: number;
  readonly currentRows: number;
}

/**
 * Compares a current sample with a reference over the same bins, following
 * Evidently's defaults: with more than `small_sample` reference rows, the
 * normed Wasserstein distance (numeric) or the Jensen–Shannon distance
 * (categorical), drifted at or above their thresholds; otherwise the KS test
 * (numeric) or the chi-square test (categorical), drifted below `p_value`.
 * PSI is reported beside. Evidently also treats a numeric column with at most
 * five values as categorical: callers that want that pass `'categorical'`.
 *
 * @example
 * const ref = { counts: [300, 500, 200], points: [1, 2, 3], std: 0.7 };
 * compareDistributions(ref, { counts: [100, 500, 400] }, 'numeric').drifted; // true
 */
export function compareDistributions(
  reference: BinnedDistribution | NumericReference,
  current: BinnedDistribution,
  kind: 'numeric' | 'categorical',
  thresholds: Partial<DriftThresholds> = {},
): DriftResult {
  const t = { ...DEFAULT_DRIFT_THRESHOLDS, ...thresholds };
  const ref = reference.counts;
  const cur = current.counts;
  const referenceRows = total(ref);
  const currentRows = total(cur);
  const psiValue = psi(ref, cur);
  const beside = {
    psi: psiValue,
    psiThreshold: t.psi,
    psiDrifted: psiValue >= t.psi,
    referenceRows,
    currentRows,
  };
  const large = referenceRows > t.small_sample;
  if (kind === 'numeric') {
    if (!('points' in reference)) {
      throw new TypeError('a numeric comparison needs the reference bin points and std');
    }
    if (large) {
      const distance = wassersteinBinned(ref, cur, reference.points);
      const statistic = distance / Math.max(reference.std, MIN_WASSERSTEIN_STD);
      const threshold = t.wasserstein;
      return {
        method: 'wasserstein',
        statistic,
        threshold,
        drifted: statistic >= threshold,
        ...beside,
      };
    }
    const test = ksBinned(ref, cur);
    return {
      method: 'ks',
      ...test,
      threshold: t.p_value,
      drifted: test.pValue < t.p_value,
      ...beside,
    };
  }
  if (large) {
    const statistic = jensenShannon(ref, cur);
    const threshold = t.jensen_shannon;
    return {
      method: 'jensen_shannon',
      statistic,
      threshold,
      drifted: statistic >= threshold,
      ...beside,
    };
  }
  const test = chiSquareHomogeneity(ref, cur);
  return {
    method: 'chi_square',
    statistic: test.statistic,
    pValue: test.pValue,
    threshold: t.p_value,
    drifted: test.pValue < t.p_value,
    ...beside,
  };
}
