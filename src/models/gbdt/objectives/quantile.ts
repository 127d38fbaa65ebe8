/**
 * Quantile regression: the pinball loss ρα(y − s), whose minimiser is the
 * alpha-quantile. Its gradient is 1 − α above the label and −α below; its
 * second derivative is zero almost everywhere, so the hessian is the weight
 * (as LightGBM), and each leaf's output is renewed to the alpha-quantile of
 * its rows' residuals.
 */
import {
  allGradients,
  type GradientKernel,
  meanLoss,
  type Objective,
  weightedQuantile,
} from './objective.js';

export const quantileGradients: GradientKernel = function quantileGradients(
  score,
  label,
  weight,
  gh,
  start,
  end,
  _n,
  _numModels,
  alpha,
  stats,
  statsAt,
) {
  const weighted = weight.length > 0;
  let maxG = 0;
  let maxH = 0;
  for (let r = start; r < end; r++) {
    const w = weighted ? weight[r]! : 1;
    const g = (score[r]! >= label[r]! ? 1 - alpha : -alpha) * w;
    gh[2 * r] = g;
    gh[2 * r + 1] = w;
    maxG = Math.max(maxG, Math.abs(g));
    maxH = Math.max(maxH, w);
  }
  stats[statsAt] = maxG;
  stats[statsAt + 1] = maxH;
};

export function quantileObjective(alpha: number): Objective {
  return {
    name: 'quantile',
    numModels: 1,
    metricName: 'quantile',
    kernel: 3,
    alpha,
    initScore(label, weight) {
      return Float64Array.of(weightedQuantile(label, weight, alpha));
    },
    gradients(score, label, weight, gh) {
      allGradients(quantileGradients, score, label, weight, gh, 1, alpha);
    },
    renewLeaf(rows, begin, end, score, label, weight) {
      const residuals = new Float64Array(end - begin);
      const weights = weight ? new Float64Array(end - begin) : null;
      for (let i = begin; i < end; i++) {
        const r = rows[i]!;
        residuals[i - begin] = label[r]! - score[r]!;
        if (weights) weights[i - begin] = weight![r]!;
      }
      return weightedQuantile(residuals, weights, alpha);
    },
    transform(raw) {
      return raw.slice();
    },
    loss(score, label, weight) {
      return meanLoss(label.length, weight, (i) => {
        const d = label[i]! - score[i]!;
        return d >= 0 ? alpha * d : (alpha - 1) * d;
      });
    },
  };
}
