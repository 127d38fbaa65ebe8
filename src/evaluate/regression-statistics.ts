/**
 * The sufficient statistics of every regression metric, in one weighted O(n)
 * pass: total shortfall U = Σ w·max(y − ŷ, 0) and overshoot O = Σ w·max(ŷ − y, 0),
 * squared error, and the spread of the labels around their mean. Then
 * MAE = (U + O) / W, pinball loss at α = (α·U + (1 − α)·O) / W, and the
 * spec's asymmetric cost = under·U + over·O.
 */
import type { RegressionData } from './prepared-data.js';

export interface RegressionStatistics {
  readonly rows: number;
  readonly shortfall: number;
  readonly overshoot: number;
  readonly squaredError: number;
  /** Σ w·(y − ȳ_w)², the total sum of squares under these weights. */
  readonly spread: number;
}

const means = new WeakMap<RegressionData, number>();

/** The unweighted label mean: the shift that keeps the one-pass spread exact enough. */
function labelMean(data: RegressionData): number {
  let mean = means.get(data);
  if (mean === undefined) {
    let sum = 0;
    for (let j = 0; j < data.n; j++) sum += data.labels[j]!;
    mean = data.n > 0 ? sum / data.n : 0;
    means.set(data, mean);
  }
  return mean;
}

/**
 * Statistics of prepared regression rows, weighted per position when `weights` is given.
 *
 * @example
 * const s = regressionStatistics(prepareRegression(Float64Array.of(2, 5), Float64Array.of(3, 4)));
 * // { rows: 2, shortfall: 1, overshoot: 1, squaredError: 2, spread: 0.5 }
 */
export function regressionStatistics(
  data: RegressionData,
  weights?: Float64Array,
): RegressionStatistics {
  const shift = labelMean(data);
  const { predictions, labels, n } = data;
  let rows = 0;
  let shortfall = 0;
  let overshoot = 0;
  let squaredError = 0;
  let centred = 0;
  let centredSquares = 0;
  for (let j = 0; j < n; j++) {
    const w = weights === undefined ? 1 : weights[j]!;
    const y = labels[j]!;
    const e = predictions[j]! - y;
    rows += w;
    if (e < 0) shortfall -= w * e;
    else overshoot += w * e;
    squaredError += w * e * e;
    const c = y - shift;
    centred += w * c;
    centredSquares += w * c * c;
  }
  const spread =
    data.constantLabels || rows === 0 ? 0 : centredSquares - (centred * centred) / rows;
  return { rows, shortfall, overshoot, squaredError, spread: Math.max(spread, 0) };
}
