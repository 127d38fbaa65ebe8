/**
 * Multiclass softmax cross-entropy: one tree per class per round; labels are
 * class codes 0..k−1. The hessian is the exact diagonal p(1 − p) (LightGBM
 * scales it by k/(k−1); the exact one keeps Newton steps honest).
 */
import { allGradients, type GradientKernel, meanLoss, type Objective } from './objective.js';

const EPSILON = 1e-15;

/** Softmax of score[base .. base + k) into out[0..k). */
function softmax(score: Float64Array, base: number, k: number, out: Float64Array): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < k; c++) max = Math.max(max, score[base + c]!);
  let sum = 0;
  for (let c = 0; c < k; c++) {
    out[c] = Math.exp(score[base + c]! - max);
    sum += out[c]!;
  }
  for (let c = 0; c < k; c++) out[c]! /= sum;
}

export const multiclassGradients: GradientKernel = function multiclassGradients(
  score,
  label,
  weight,
  gh,
  start,
  end,
  n,
  k,
  _alpha,
  stats,
  statsAt,
) {
  const weighted = weight.length > 0;
  for (let c = 0; c < k; c++) {
    stats[statsAt + 2 * c] = 0;
    stats[statsAt + 2 * c + 1] = 0;
  }
  for (let r = start; r < end; r++) {
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < k; c++) max = Math.max(max, score[r * k + c]!);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(score[r * k + c]! - max);
    const w = weighted ? weight[r]! : 1;
    const y = label[r]!;
    for (let c = 0; c < k; c++) {
      const p = Math.exp(score[r * k + c]! - max) / sum;
      const g = (p - (y === c ? 1 : 0)) * w;
      const h = p * (1 - p) * w;
      gh[c * 2 * n + 2 * r] = g;
      gh[c * 2 * n + 2 * r + 1] = h;
      stats[statsAt + 2 * c] = Math.max(stats[statsAt + 2 * c]!, Math.abs(g));
      stats[statsAt + 2 * c + 1] = Math.max(stats[statsAt + 2 * c + 1]!, h);
    }
  }
};

export function multiclassObjective(numClass: number): Objective {
  const k = numClass;
  return {
    name: 'multiclass',
    numModels: k,
    metricName: 'multi_logloss',
    kernel: 1,
    alpha: 0,
    initScore(label, weight) {
      const mass = new Float64Array(k);
      let total = 0;
      for (let i = 0; i < label.length; i++) {
        const w = weight ? weight[i]! : 1;
        mass[label[i]!]! += w;
        total += w;
      }
      return mass.map((m) => Math.log(Math.max(EPSILON, m / total)));
    },
    gradients(score, label, weight, gh) {
      allGradients(multiclassGradients, score, label, weight, gh, k, 0);
    },
    transform(raw) {
      const out = new Float64Array(raw.length);
      const p = new Float64Array(k);
      for (let base = 0; base < raw.length; base += k) {
        softmax(raw, base, k, p);
        out.set(p, base);
      }
      return out;
    },
    loss(score, label, weight) {
      const p = new Float64Array(k);
      return meanLoss(label.length, weight, (i) => {
        softmax(score, i * k, k, p);
        return -Math.log(Math.max(EPSILON, p[label[i]!]!));
      });
    },
  };
}
