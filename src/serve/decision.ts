/**
 * Model outputs → what a caller acts on, per the bundle's decision policy:
 * binary, act when P(positive) ≥ threshold; multiclass, the most probable
 * class; regression, the value itself.
 */
import type { BundleDecision } from '../registry/index.js';

/** The result for one row, before it gets a prediction id and a version. */
export interface RowScore {
  /** Binary: P(positive); regression: the value; multiclass: P(top class). */
  readonly score: number;
  /** Binary: whether to act; multiclass: the class; regression: the value. */
  readonly decision: boolean | string | number;
  /** Multiclass: the probability of each class. */
  readonly probabilities?: Readonly<Record<string, number>>;
}

/** Without a threshold in the bundle, a binary decision acts at even odds. */
export const DEFAULT_BINARY_THRESHOLD = 0.5;

/**
 * The threshold a binary bundle acts at. `top_k` ranks within a batch, which a
 * single request cannot do; its per-row threshold is the score cut-off.
 */
export function binaryThreshold(decision: BundleDecision): number {
  return decision.kind === 'none' ? DEFAULT_BINARY_THRESHOLD : decision.threshold;
}

/**
 * Rows of `output` (`model.predict`'s array) as scores and decisions.
 *
 * @example
 * decide('binary', new Float64Array([0.7, 0.1]), { kind: 'threshold', threshold: 0.4 });
 * // [{ score: 0.7, decision: true }, { score: 0.1, decision: false }]
 */
export function decide(
  task: 'binary' | 'multiclass' | 'regression',
  output: Float64Array,
  decision: BundleDecision,
  classes: readonly string[] = [],
): RowScore[] {
  if (task === 'binary') {
    const threshold = binaryThreshold(decision);
    return Array.from(output, (score) => ({ score, decision: score >= threshold }));
  }
  if (task === 'regression') return Array.from(output, (score) => ({ score, decision: score }));
  const k = classes.length;
  const rows: RowScore[] = new Array(k === 0 ? 0 : output.length / k);
  for (let r = 0; r < rows.length; r++) {
    const probabilities: Record<string, number> = Object.create(null);
    let best = 0;
    for (let j = 0; j < k; j++) {
      const p = output[r * k + j]!;
      probabilities[classes[j]!] = p;
      if (p > output[r * k + best]!) best = j;
    }
    rows[r] = { score: output[r * k + best]!, decision: classes[best]!, probabilities };
  }
  return rows;
}
