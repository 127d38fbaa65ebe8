/**
 * Isotonic calibration: the non-decreasing step function of the score that
 * best fits the labels in weighted least squares, found by the
 * pool-adjacent-violators algorithm (Ayer et al. 1955). As in scikit-learn's
 * IsotonicRegression(out_of_bounds='clip'): tied scores are merged first
 * (weighted mean label), points inside a constant run are dropped, new scores
 * are interpolated linearly between the remaining thresholds and clipped to
 * the range seen in fitting.
 */
import { z } from 'zod';
import { FlywheelError } from '../../errors.js';
import { labelledScores } from './labelled-scores.js';

export const IsotonicJSON = z.object({
  method: z.literal('isotonic'),
  version: z.literal(1),
  /** Scores of the thresholds, strictly increasing. */
  x: z.array(z.number()).min(1),
  /** Calibrated probability at each threshold, non-decreasing. */
  y: z.array(z.number().min(0).max(1)).min(1),
});
export type IsotonicJSON = z.infer<typeof IsotonicJSON>;

/**
 * A fitted isotonic calibrator.
 *
 * @example
 * const iso = IsotonicCalibrator.fit([1, 2, 3, 4, 5, 6], [0, 1, 0, 0, 1, 1]);
 * iso.apply([1.5, 4.5]); // [1/6, 2/3]
 */
export class IsotonicCalibrator {
  readonly method = 'isotonic';

  constructor(
    readonly x: Float64Array,
    readonly y: Float64Array,
  ) {}

  static fit(
    scores: ArrayLike<number>,
    labels: ArrayLike<number>,
    options: { weights?: ArrayLike<number> } = {},
  ): IsotonicCalibrator {
    const data = labelledScores('isotonic', scores, labels, options.weights);
    const order = Array.from(data.scores.keys()).sort(
      (i, j) => data.scores[i]! - data.scores[j]! || i - j,
    );

    // Merge ties: one point per distinct score, with the weighted mean label.
    const xs: number[] = [];
    const means: number[] = [];
    const mass: number[] = [];
    for (const i of order) {
      const s = data.scores[i]!;
      const w = data.weights[i]!;
      const last = xs.length - 1;
      if (last >= 0 && xs[last] === s) {
        means[last] = (means[last]! * mass[last]! + w * data.labels[i]!) / (mass[last]! + w);
        mass[last] = mass[last]! + w;
      } else {
        xs.push(s);
        means.push(data.labels[i]!);
        mass.push(w);
      }
    }

    const fitted = poolAdjacentViolators(means, mass);

    // Keep the ends of every constant run; the interior adds nothing to the interpolation.
    const keepX: number[] = [];
    const keepY: number[] = [];
    for (let i = 0; i < xs.length; i++) {
      const v = fitted[i]!;
      const interior = i > 0 && i < xs.length - 1 && fitted[i - 1] === v && fitted[i + 1] === v;
      if (!interior) {
        keepX.push(xs[i]!);
        keepY.push(v);
      }
    }
    return new IsotonicCalibrator(Float64Array.from(keepX), Float64Array.from(keepY));
  }

  static fromJSON(json: unknown): IsotonicCalibrator {
    const parsed = IsotonicJSON.safeParse(json);
    const ok =
      parsed.success &&
      parsed.data.x.length === parsed.data.y.length &&
      parsed.data.x.every((v, i, a) => i === 0 || v > a[i - 1]!) &&
      parsed.data.y.every((v, i, a) => i === 0 || v >= a[i - 1]!);
    if (!ok) throw new FlywheelError('ARTIFACT_CORRUPT', 'invalid isotonic calibrator');
    return new IsotonicCalibrator(
      Float64Array.from(parsed.data.x),
      Float64Array.from(parsed.data.y),
    );
  }

  /** Calibrated probabilities: linear between thresholds, clipped outside; NaN stays NaN. */
  apply(scores: ArrayLike<number>): Float64Array {
    const { x, y } = this;
    const last = x.length - 1;
    const out = new Float64Array(scores.length);
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i]!;
      if (Number.isNaN(s)) out[i] = s;
      else if (s <= x[0]!) out[i] = y[0]!;
      else if (s >= x[last]!) out[i] = y[last]!;
      else {
        // x[lo] < s ≤ x[hi], found by bisection.
        let lo = 0;
        let hi = last;
        while (hi - lo > 1) {
          const mid = (lo + hi) >>> 1;
          if (x[mid]! < s) lo = mid;
          else hi = mid;
        }
        const t = (s - x[lo]!) / (x[hi]! - x[lo]!);
        out[i] = y[lo]! + t * (y[hi]! - y[lo]!);
      }
    }
    return out;
  }

  toJSON(): IsotonicJSON {
    return { method: 'isotonic', version: 1, x: [...this.x], y: [...this.y] };
  }
}

/**
 * Weighted least-squares non-decreasing fit of `values` (PAV): a stack of
 * blocks, merging the top two while they violate the order.
 *
 * @example
 * poolAdjacentViolators([0, 1, 0, 0, 1], [1, 1, 1, 1, 1]); // [0, 1/3, 1/3, 1/3, 1]
 */
export function poolAdjacentViolators(
  values: readonly number[],
  weights: readonly number[],
): Float64Array {
  const n = values.length;
  const level = new Float64Array(n);
  const mass = new Float64Array(n);
  const end = new Int32Array(n); // last index covered by each block
  let top = -1;
  for (let i = 0; i < n; i++) {
    top++;
    level[top] = values[i]!;
    mass[top] = weights[i]!;
    end[top] = i;
    while (top > 0 && level[top - 1]! >= level[top]!) {
      const m = mass[top - 1]! + mass[top]!;
      level[top - 1] = (level[top - 1]! * mass[top - 1]! + level[top]! * mass[top]!) / m;
      mass[top - 1] = m;
      end[top - 1] = end[top]!;
      top--;
    }
  }
  const out = new Float64Array(n);
  let start = 0;
  for (let b = 0; b <= top; b++) {
    out.fill(level[b]!, start, end[b]! + 1);
    start = end[b]! + 1;
  }
  return out;
}
