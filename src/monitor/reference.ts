/**
 * What a model version carries for monitoring, made when it is registered:
 * the distribution of its test scores (binned like any profiled column, so
 * live scores compare bin for bin), its positive-decision and label rates,
 * and how much each feature matters to it (permutation importance), so that
 * drift on a feature the model ignores pages nobody.
 */
import type { Column, Frame, NumericColumnProfile } from '../data/index.js';
import { rocAuc } from '../evaluate/index.js';
import type { FittedModel } from '../models/index.js';
import { createRng } from '../random.js';
import type { ScoreReference } from '../registry/index.js';

const BINS = 20;

/** The value at quantile q of sorted values (inverse CDF: a value of the data). */
function quantile(sorted: Float64Array, q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

/**
 * Scores profiled as a numeric column: equal-frequency cut points at the
 * 5%, 10%, …, 95% quantiles (deduplicated, below the maximum), as the data
 * profile bins columns.
 *
 * @example
 * const profile = scoreProfile(Float64Array.of(0.1, 0.4, 0.35, 0.8));
 * binValues(profile, liveScores) // counts per bin, comparable with profile.histogram
 */
export function scoreProfile(scores: Float64Array, name = 'score'): NumericColumnProfile {
  const present = scores.filter((v) => !Number.isNaN(v));
  const sorted = Float64Array.from(present).sort();
  const n = sorted.length;
  const missing = scores.length - n;
  if (n === 0) {
    return {
      name,
      type: 'numeric',
      count: scores.length,
      missing,
      missingRate: scores.length === 0 ? 0 : 1,
      distinct: 0,
      min: null,
      max: null,
      mean: null,
      std: null,
      quantiles: null,
      histogram: { edges: [], counts: [0], missing },
    };
  }
  const max = sorted[n - 1]!;
  const edges: number[] = [];
  for (let b = 1; b < BINS; b++) {
    const q = quantile(sorted, b / BINS);
    if (q < max && (edges.length === 0 || q > edges.at(-1)!)) edges.push(q);
  }
  const counts = new Array<number>(edges.length + 1).fill(0);
  let bin = 0;
  for (const v of sorted) {
    while (bin < edges.length && v > edges[bin]!) bin++;
    counts[bin]!++;
  }
  let sum = 0;
  for (const v of sorted) sum += v;
  const mean = sum / n;
  let squares = 0;
  for (const v of sorted) squares += (v - mean) ** 2;
  let distinct = 1;
  for (let i = 1; i < n; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  return {
    name,
    type: 'numeric',
    count: scores.length,
    missing,
    missingRate: missing / scores.length,
    distinct,
    min: sorted[0]!,
    max,
    mean,
    std: Math.sqrt(squares / n),
    quantiles: {
      p01: quantile(sorted, 0.01),
      p05: quantile(sorted, 0.05),
      p25: quantile(sorted, 0.25),
      p50: quantile(sorted, 0.5),
      p75: quantile(sorted, 0.75),
      p95: quantile(sorted, 0.95),
      p99: quantile(sorted, 0.99),
    },
    histogram: { edges, counts, missing },
  };
}

/** The reference of a binary model's scores on labelled test rows. */
export function scoreReference(
  scores: Float64Array,
  decisions: readonly boolean[] | undefined,
  labels: Float64Array | undefined,
): ScoreReference {
  const rate = (values: ArrayLike<number>) => {
    let n = 0;
    let positive = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (Number.isNaN(v)) continue;
      n++;
      if (v > 0) positive++;
    }
    return n === 0 ? null : positive / n;
  };
  return {
    profile: scoreProfile(scores),
    positiveRate: decisions === undefined ? null : rate(decisions.map((d) => (d ? 1 : 0))),
    baseRate: labels === undefined ? null : rate(labels),
    rows: scores.length,
  };
}

function permuted(column: Column, order: Int32Array): Column {
  if (column.type === 'categorical') {
    return { ...column, codes: Int32Array.from(order, (i) => column.codes[i]!) };
  }
  return { ...column, values: Float64Array.from(order, (i) => column.values[i]!) };
}

/** How well scores fit labels: AUC (binary), minus the mean squared error (regression). */
function skill(task: 'binary' | 'regression', scores: Float64Array, labels: Float64Array): number {
  if (task === 'binary') return rocAuc(scores, labels);
  let sum = 0;
  let n = 0;
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(labels[i]!)) continue;
    sum += (scores[i]! - labels[i]!) ** 2;
    n++;
  }
  return n === 0 ? 0 : -sum / n;
}

/**
 * Permutation importance on (up to `rows`) labelled rows: how much the
 * model's skill (AUC, or −MSE) falls when one feature's values are shuffled
 * across rows, as shares summing to 1 (equal shares when nothing matters).
 *
 * @example
 * const importance = permutationImportance(model, test.frame, test.target.values, 'binary');
 * importance.origin_delay_2h // 0.41
 */
export function permutationImportance(
  model: FittedModel,
  frame: Frame,
  labels: Float64Array,
  task: 'binary' | 'regression',
  options: { rows?: number; seed?: number } = {},
): Record<string, number> {
  const rand = createRng(options.seed ?? 17);
  const limit = Math.min(frame.rowCount, options.rows ?? 5000);
  // A seeded sample of rows, then one seeded permutation of them per feature.
  const all = Int32Array.from({ length: frame.rowCount }, (_, i) => i);
  for (let i = all.length - 1; i > 0 && all.length > limit; i--) {
    const j = Math.floor(rand() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  const rows = all.length > limit ? all.slice(all.length - limit) : all;
  const take = (c: Column): Column => permuted(c, rows);
  const sample: Frame = {
    rowCount: rows.length,
    schema: frame.schema,
    columns: new Map([...frame.columns].map(([k, c]) => [k, take(c)])),
  };
  const y = Float64Array.from(rows, (i) => labels[i]!);
  const base = skill(task, model.predict(sample), y);
  const drops: Record<string, number> = {};
  for (const name of sample.columns.keys()) {
    const order = Int32Array.from({ length: rows.length }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const shuffled = new Map(sample.columns);
    shuffled.set(name, permuted(sample.columns.get(name)!, order));
    const after = skill(task, model.predict({ ...sample, columns: shuffled }), y);
    drops[name] = Math.max(0, base - after);
  }
  const total = Object.values(drops).reduce((a, b) => a + b, 0);
  const names = Object.keys(drops);
  return Object.fromEntries(
    names.map((n) => [n, total > 0 ? drops[n]! / total : 1 / names.length]),
  );
}
