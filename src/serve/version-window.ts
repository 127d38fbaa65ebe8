/**
 * What a serving version did over one canary interval: requests, errors, a
 * latency histogram and a uniform sample of its scores. The host feeds one
 * window per version after every prediction; the canary controller takes
 * (and resets) them at each check.
 */
import { createRng } from '../random.js';

/** Upper bounds of the latency buckets in ms: 0.01 ms × 1.2^i, up to about 10 minutes. */
export const LATENCY_BOUNDS_MS: Float64Array = Float64Array.from(
  { length: 100 },
  (_, i) => 0.01 * 1.2 ** i,
);

/** Scores kept per window (a reservoir sample beyond this). */
export const SCORE_SAMPLE_SIZE = 4096;

/** A window's figures at the moment it was taken. */
export interface WindowSnapshot {
  readonly requests: number;
  readonly errors: number;
  /** Rows scored successfully. */
  readonly rows: number;
  /** 99th percentile of request latency (upper bound of its histogram bucket); NaN with no requests. */
  readonly p99Ms: number;
  /** A uniform sample of the scores (at most SCORE_SAMPLE_SIZE). */
  readonly scores: Float64Array;
}

/** Index of the latency bucket holding `ms`. */
export function latencyBucket(ms: number): number {
  // Binary search: the first bound ≥ ms.
  let lo = 0;
  let hi = LATENCY_BOUNDS_MS.length - 1;
  if (!(ms <= LATENCY_BOUNDS_MS[hi]!)) return hi;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (LATENCY_BOUNDS_MS[mid]! >= ms) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The `q` quantile of a latency histogram (a bucket's upper bound); NaN when empty. */
export function histogramQuantile(counts: Uint32Array, q: number): number {
  let total = 0;
  for (const c of counts) total += c;
  if (total === 0) return Number.NaN;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i]!;
    if (seen >= rank) return LATENCY_BOUNDS_MS[i]!;
  }
  return LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1]!;
}

/**
 * @example
 * const w = new VersionWindow();
 * w.record(1.8, true, [0.2]);
 * w.take(); // { requests: 1, errors: 0, rows: 1, p99Ms: ~1.86, scores: [0.2] }
 */
export class VersionWindow {
  #requests = 0;
  #errors = 0;
  #rows = 0;
  #latency = new Uint32Array(LATENCY_BOUNDS_MS.length);
  #scores = new Float64Array(SCORE_SAMPLE_SIZE);
  #seen = 0;
  readonly #random: () => number;

  constructor(seed = 1) {
    this.#random = createRng(seed);
  }

  /** One request: its latency, whether it succeeded, and the scores it gave. */
  record(latencyMs: number, ok: boolean, scores: ArrayLike<number> = []): void {
    this.#requests++;
    if (!ok) this.#errors++;
    this.#latency[latencyBucket(latencyMs)]!++;
    this.#rows += scores.length;
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i]!;
      if (!Number.isFinite(s)) continue;
      // Algorithm R: every score seen so far is kept with the same probability.
      if (this.#seen < SCORE_SAMPLE_SIZE) this.#scores[this.#seen] = s;
      else {
        const j = Math.floor(this.#random() * (this.#seen + 1));
        if (j < SCORE_SAMPLE_SIZE) this.#scores[j] = s;
      }
      this.#seen++;
    }
  }

  /** The figures so far, without resetting. */
  peek(): WindowSnapshot {
    return {
      requests: this.#requests,
      errors: this.#errors,
      rows: this.#rows,
      p99Ms: histogramQuantile(this.#latency, 0.99),
      scores: this.#scores.slice(0, Math.min(this.#seen, SCORE_SAMPLE_SIZE)),
    };
  }

  /** The figures so far, and a fresh start. */
  take(): WindowSnapshot {
    const snapshot = this.peek();
    this.#requests = 0;
    this.#errors = 0;
    this.#rows = 0;
    this.#latency.fill(0);
    this.#seen = 0;
    return snapshot;
  }
}
