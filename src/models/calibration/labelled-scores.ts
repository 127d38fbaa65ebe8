/**
 * The input every calibrator fits on: a model's scores on validation rows and
 * their 0/1 labels, validated at the boundary. Rows with a missing label (NaN)
 * are left out; a non-finite score, a label other than 0/1, or labels of a
 * single class are errors that say so.
 */
import { FlywheelError } from '../../errors.js';

export interface LabelledScores {
  readonly scores: Float64Array;
  readonly labels: Uint8Array;
  readonly weights: Float64Array;
  readonly positives: number;
  readonly negatives: number;
}

/**
 * Validated scores and labels (and weights, default 1) of the labelled rows.
 *
 * @example
 * const data = labelledScores('platt', [0.2, 1.4], [0, 1]);
 */
export function labelledScores(
  method: string,
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  weights?: ArrayLike<number>,
): LabelledScores {
  if (scores.length !== labels.length || (weights && weights.length !== scores.length)) {
    throw new FlywheelError(
      'USAGE',
      `${method} calibration: ${scores.length} scores, ${labels.length} labels${weights ? `, ${weights.length} weights` : ''}; they must have the same length`,
    );
  }
  const keep: number[] = [];
  let positives = 0;
  let negatives = 0;
  for (let i = 0; i < scores.length; i++) {
    const y = labels[i]!;
    if (Number.isNaN(y)) continue;
    if (y !== 0 && y !== 1) {
      throw new FlywheelError(
        'TARGET_INVALID',
        `${method} calibration: labels must be 0 or 1, row ${i} has ${y}`,
      );
    }
    if (!Number.isFinite(scores[i]!)) {
      throw new FlywheelError(
        'USAGE',
        `${method} calibration: row ${i} has the non-finite score ${scores[i]}`,
      );
    }
    const w = weights ? weights[i]! : 1;
    if (!(w >= 0 && Number.isFinite(w))) {
      throw new FlywheelError(
        'USAGE',
        `${method} calibration: row ${i} has weight ${w}; weights must be finite and ≥ 0`,
      );
    }
    if (w === 0) continue;
    keep.push(i);
    if (y === 1) positives += w;
    else negatives += w;
  }
  if (positives === 0 || negatives === 0) {
    throw new FlywheelError(
      'TARGET_INVALID',
      `${method} calibration needs both classes in the validation labels; found ${positives === 0 ? 'no positives' : 'no negatives'}`,
    );
  }
  return {
    scores: Float64Array.from(keep, (i) => scores[i]!),
    labels: Uint8Array.from(keep, (i) => labels[i]!),
    weights: Float64Array.from(keep, (i) => (weights ? weights[i]! : 1)),
    positives,
    negatives,
  };
}
