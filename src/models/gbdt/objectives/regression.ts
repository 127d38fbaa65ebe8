/**
 * L2 regression: gradients of ½(s − y)² (s − y, hessian 1), starting from the
 * mean; the reported loss is the mean squared error (LightGBM's l2).
 */
import { allGradients, type GradientKernel, meanLoss, type Objective } from './objective.js';

export const regressionGradients: GradientKernel = function regressionGradients(
  score,
  label,
  weight,
  gh,
  start,
  end,
  _n,
  _numModels,
  _alpha,
  stats,
  statsAt,
) {
  const weighted = weight.length > 0;
  let maxG = 0;
  let maxH = 0;
  for (let r = start; r < end; r++) {
    const w = weighted ? weight[r]! : 1;
    const g = (score[r]! - label[r]!) * w;
    gh[2 * r] = g;
    gh[2 * r + 1] = w;
    maxG = Math.max(maxG, Math.abs(g));
    maxH = Math.max(maxH, w);
  }
  stats[statsAt] = maxG;
  stats[statsAt + 1] = maxH;
};

export function regressionObjective(): Objective {
  return {
    name: 'regression',
    numModels: 1,
    metricName: 'l2',
    kernel: 2,
    alpha: 0,
    initScore(label, weight) {
      let sum = 0;
      let total = 0;
      for (let i = 0; i < label.length; i++) {
        const w = weight ? weight[i]! : 1;
        sum += w * label[i]!;
        total += w;
      }
      return Float64Array.of(total > 0 ? sum / total : 0);
    },
    gradients(score, label, weight, gh) {
      allGradients(regressionGradients, score, label, weight, gh, 1, 0);
    },
    transform(raw) {
      return raw.slice();
    },
    loss(score, label, weight) {
      return meanLoss(label.length, weight, (i) => (score[i]! - label[i]!) ** 2);
    },
  };
}
