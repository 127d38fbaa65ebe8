/**
 * Platt scaling: P(y = 1 | s) = 1 / (1 + exp(−(a·s + b))), a 1-D logistic
 * regression on a model's scores, fitted on validation data with Platt's
 * smoothed targets t₊ = (N₊ + 1)/(N₊ + 2) and t₋ = 1/(N₋ + 2) (Platt 1999),
 * by the Newton method with backtracking of Lin, Lin & Weng, "A note on
 * Platt's probabilistic outputs for support vector machines" (2007). Their
 * (A, B) is our (−a, −b). Scores may be raw scores/logits, or probabilities
 * (`input: 'probability'`), which are mapped to logits first.
 */
import { z } from 'zod';
import { FlywheelError } from '../../errors.js';
import { labelledScores } from './labelled-scores.js';

export const PlattJSON = z.object({
  method: z.literal('platt'),
  version: z.literal(1),
  a: z.number(),
  b: z.number(),
  input: z.enum(['score', 'probability']),
});
export type PlattJSON = z.infer<typeof PlattJSON>;

export interface PlattOptions {
  /** What the scores are: raw scores/logits (default), or probabilities in [0, 1]. */
  readonly input?: 'score' | 'probability';
  /** Per-row weights (default 1); N₊ and N₋ become weight sums. */
  readonly weights?: ArrayLike<number>;
}

/** Probabilities are clipped this far from 0 and 1 before the logit. */
const PROBABILITY_CLIP = 1e-15;

/**
 * A fitted Platt calibrator.
 *
 * @example
 * const platt = PlattCalibrator.fit(validationScores, validationLabels);
 * const p = platt.apply(testScores);
 * const same = PlattCalibrator.fromJSON(JSON.parse(JSON.stringify(platt)));
 */
export class PlattCalibrator {
  readonly method = 'platt';

  constructor(
    /** Slope on the score (positive when higher scores mean positive). */
    readonly a: number,
    readonly b: number,
    readonly input: 'score' | 'probability' = 'score',
  ) {}

  static fit(
    scores: ArrayLike<number>,
    labels: ArrayLike<number>,
    options: PlattOptions = {},
  ): PlattCalibrator {
    const input = options.input ?? 'score';
    const raw = input === 'probability' ? Float64Array.from(scores, toLogit) : scores;
    const data = labelledScores('platt', raw, labels, options.weights);
    const [a, b] = fitSigmoid(
      data.scores,
      data.labels,
      data.weights,
      data.positives,
      data.negatives,
    );
    return new PlattCalibrator(a, b, input);
  }

  static fromJSON(json: unknown): PlattCalibrator {
    const parsed = PlattJSON.safeParse(json);
    if (!parsed.success) throw new FlywheelError('ARTIFACT_CORRUPT', 'invalid Platt calibrator');
    return new PlattCalibrator(parsed.data.a, parsed.data.b, parsed.data.input);
  }

  /** Calibrated probabilities; a NaN score gives NaN. */
  apply(scores: ArrayLike<number>): Float64Array {
    const out = new Float64Array(scores.length);
    for (let i = 0; i < scores.length; i++) {
      const s = this.input === 'probability' ? toLogit(scores[i]!) : scores[i]!;
      const z = this.a * s + this.b;
      out[i] = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }
    return out;
  }

  toJSON(): PlattJSON {
    return { method: 'platt', version: 1, a: this.a, b: this.b, input: this.input };
  }
}

function toLogit(p: number): number {
  if (Number.isNaN(p)) return p;
  const q = Math.min(1 - PROBABILITY_CLIP, Math.max(PROBABILITY_CLIP, p));
  return Math.log(q / (1 - q));
}

/**
 * Lin, Lin & Weng's Algorithm (in their notation P = 1/(1 + exp(A·f + B))),
 * returning (a, b) = (−A, −B).
 */
function fitSigmoid(
  f: Float64Array,
  y: Uint8Array,
  w: Float64Array,
  positives: number,
  negatives: number,
): [number, number] {
  const hi = (positives + 1) / (positives + 2);
  const lo = 1 / (negatives + 2);
  const n = f.length;
  const t = Float64Array.from(y, (v) => (v === 1 ? hi : lo));
  const objective = (A: number, B: number) => {
    let v = 0;
    for (let i = 0; i < n; i++) {
      const z = f[i]! * A + B;
      v +=
        w[i]! *
        (z >= 0 ? t[i]! * z + Math.log1p(Math.exp(-z)) : (t[i]! - 1) * z + Math.log1p(Math.exp(z)));
    }
    return v;
  };
  let A = 0;
  let B = Math.log((negatives + 1) / (positives + 1));
  let value = objective(A, B);
  const sigma = 1e-12;
  const tolerance = 1e-10 * (positives + negatives);
  for (let iteration = 0; iteration < 100; iteration++) {
    let h11 = sigma;
    let h22 = sigma;
    let h21 = 0;
    let g1 = 0;
    let g2 = 0;
    for (let i = 0; i < n; i++) {
      const z = f[i]! * A + B;
      // p = P(y = 1) = 1/(1 + e^z), q = 1 − p, both without overflow.
      const e = Math.exp(-Math.abs(z));
      const p = z >= 0 ? e / (1 + e) : 1 / (1 + e);
      const q = 1 - p;
      const d2 = w[i]! * p * q;
      h11 += f[i]! * f[i]! * d2;
      h22 += d2;
      h21 += f[i]! * d2;
      const d1 = w[i]! * (t[i]! - p);
      g1 += f[i]! * d1;
      g2 += d1;
    }
    if (Math.abs(g1) < tolerance && Math.abs(g2) < tolerance) break;
    const det = h11 * h22 - h21 * h21;
    const dA = -(h22 * g1 - h21 * g2) / det;
    const dB = -(-h21 * g1 + h11 * g2) / det;
    const gd = g1 * dA + g2 * dB;
    let step = 1;
    while (step >= 1e-10) {
      const next = objective(A + step * dA, B + step * dB);
      if (next < value + 1e-4 * step * gd) {
        A += step * dA;
        B += step * dB;
        value = next;
        break;
      }
      step /= 2;
    }
    if (step < 1e-10) break; // no further decrease is representable
  }
  return [-A, -B];
}
