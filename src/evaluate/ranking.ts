/**
 * Ranking and probability metrics used across steps: ROC AUC (ties count
 * half, via average ranks: the Mann–Whitney U statistic) and log loss.
 */

/**
 * Area under the ROC curve; NaN labels are skipped; NaN when one class is absent.
 *
 * @example
 * rocAuc(Float64Array.of(0.1, 0.4, 0.35, 0.8), Float64Array.of(0, 0, 1, 1)) // 0.75
 */
export function rocAuc(scores: Float64Array, labels: Float64Array): number {
  const rows: number[] = [];
  for (let i = 0; i < scores.length; i++) if (!Number.isNaN(labels[i]!)) rows.push(i);
  rows.sort((a, b) => scores[a]! - scores[b]!);
  let rankSumPositive = 0;
  let positives = 0;
  for (let j = 0; j < rows.length; ) {
    let end = j;
    while (end + 1 < rows.length && scores[rows[end + 1]!] === scores[rows[j]!]) end++;
    const averageRank = (j + end) / 2 + 1;
    for (let t = j; t <= end; t++) {
      if (labels[rows[t]!] === 1) {
        rankSumPositive += averageRank;
        positives++;
      }
    }
    j = end + 1;
  }
  const negatives = rows.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSumPositive - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Mean binary log loss, probabilities clipped to [1e-15, 1 − 1e-15]. */
export function logLoss(probabilities: Float64Array, labels: Float64Array): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const y = labels[i]!;
    if (Number.isNaN(y)) continue;
    const p = Math.min(Math.max(probabilities[i]!, 1e-15), 1 - 1e-15);
    sum -= y * Math.log(p) + (1 - y) * Math.log(1 - p);
    n++;
  }
  return n > 0 ? sum / n : Number.NaN;
}
