/**
 * Subsets of prepared rows, for slices: a subset of sorted rows is still
 * sorted, so a slice costs a copy and no sort, and keeps the decisions made
 * on all rows (a top-k policy ranks the whole test set, not each slice).
 */
import type { PreparedData } from './prepared-data.js';

/**
 * The prepared rows at `positions` (ascending), in the same layout: a subset of
 * sorted rows is still sorted, so slicing costs no sort.
 */
export function selectPositions<D extends PreparedData>(data: D, positions: Int32Array): D {
  const n = positions.length;
  const pick = <A extends Float64Array | Int32Array | Uint8Array>(source: A): A => {
    const out = new (source.constructor as new (length: number) => A)(n);
    for (let i = 0; i < n; i++) out[i] = source[positions[i]!]!;
    return out;
  };
  const rows = pick(data.rows);
  if (data.task === 'regression') {
    const labels = pick(data.labels);
    let constantLabels = true;
    for (let j = 1; j < n; j++) if (labels[j] !== labels[0]) constantLabels = false;
    return { ...data, n, rows, predictions: pick(data.predictions), labels, constantLabels };
  }
  if (data.task === 'multiclass') {
    return {
      ...data,
      n,
      rows,
      truth: pick(data.truth),
      predicted: pick(data.predicted),
      trueRank: pick(data.trueRank),
      logLoss: pick(data.logLoss),
    };
  }
  const scores = pick(data.scores);
  const labels = pick(data.labels);
  const groupEnd = new Uint8Array(n);
  let positives = 0;
  let probabilities = true;
  for (let j = 0; j < n; j++) {
    positives += labels[j]!;
    if (scores[j]! < 0 || scores[j]! > 1) probabilities = false;
    if (j + 1 === n || scores[j + 1] !== scores[j]) groupEnd[j] = 1;
  }
  return {
    ...data,
    n,
    positives,
    scores,
    labels,
    rows,
    groupEnd,
    decisions: pick(data.decisions),
    probabilities,
  };
}
