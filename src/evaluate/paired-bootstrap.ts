/**
 * The paired bootstrap: two models scored on the same rows, resampled with the
 * same draws (stratified by label or class), so the interval of their
 * difference reflects only how the models differ, not which rows happened to
 * be drawn. Used for candidate against best baseline and challenger against
 * champion. Each model keeps its own decision rule (its own threshold).
 */
import { FlywheelError } from '../errors.js';
import {
  type BootstrapOptions,
  type Interval,
  percentileInterval,
  resolveBootstrap,
  strataOf,
} from './bootstrap.js';
import { bindMetrics, type MetricSet, toConfig } from './calculate.js';
import { getMetric } from './metric-registry.js';
import type { Labels, MetricContext, MetricRequest, Task } from './metric-types.js';
import { type PreparedData, prepareData } from './prepared-data.js';
import { Resampler } from './resampler.js';

/** A model's predictions on the evaluated rows, with its own context (e.g. its threshold). */
export interface ScoredModel {
  readonly name: string;
  readonly predictions: Float64Array;
  /** Laid over the shared context for this model only. */
  readonly context?: MetricContext;
}

export interface PairedComparison {
  readonly metric: string;
  readonly better: 'higher' | 'lower';
  readonly a: string;
  readonly b: string;
  readonly estimateA: number;
  readonly estimateB: number;
  /** A − B. */
  readonly difference: Interval;
  /**
   * Relative improvement of A over B in the metric's good direction:
   * (A − B) / |B| when higher is better, (B − A) / |B| when lower is.
   */
  readonly improvement: Interval;
  /** Share of replicates in which A is better than B (ties count one half). */
  readonly probabilityABetter: number;
}

/** A model's rows prepared, its errors prefixed with its name. */
export function prepareModel(
  task: Task,
  model: ScoredModel,
  labels: Labels,
  context: MetricContext,
): PreparedData {
  try {
    return prepareData(task, model.predictions, labels, context);
  } catch (error) {
    if (!(error instanceof FlywheelError)) throw error;
    throw new FlywheelError(error.code, `model ${model.name}: ${error.message}`, {
      details: error.details,
      ...(error.hint === undefined ? {} : { hint: error.hint }),
    });
  }
}

/** `out[j] = values[map[j]]`. */
function gather(out: Float64Array, values: Float64Array, map: Int32Array): Float64Array {
  for (let j = 0; j < map.length; j++) out[j] = values[map[j]!]!;
  return out;
}

/**
 * Replicate values of every metric of each set (indexed [set][metric]), all
 * sets bound to the same labelled rows (each in its own sorted order).
 * Replicates are drawn in the first set's order, stratified by its labels,
 * with the same generator as `bootstrapReplicates`, and carried to the others
 * through the rows they share: every model sees the same resampled rows, and
 * the first set's replicates equal its unpaired ones for the same seed.
 */
export function pairedReplicates(
  sets: readonly MetricSet[],
  options: BootstrapOptions = {},
): Float64Array[][] {
  const { resamples, seed, stratify } = resolveBootstrap(options);
  const reference = sets[0]!.data;
  let rowCount = 0;
  for (const row of reference.rows) rowCount = Math.max(rowCount, row + 1);
  const positionOfRow = new Int32Array(rowCount).fill(-1);
  reference.rows.forEach((row, j) => {
    positionOfRow[row] = j;
  });
  const maps = sets.map((set) => {
    const map = Int32Array.from(set.data.rows, (row) => positionOfRow[row] ?? -1);
    if (set.data.n !== reference.n || map.includes(-1)) {
      throw new FlywheelError(
        'USAGE',
        'a paired bootstrap needs every model scored on the same labelled rows',
      );
    }
    return map;
  });
  const resampler = new Resampler(strataOf(reference, stratify), seed);
  const counts = new Float64Array(reference.n);
  const gathered = sets.map((set) => new Float64Array(set.data.n));
  const replicates = sets.map((set) => set.configs.map(() => new Float64Array(resamples)));
  for (let r = 0; r < resamples; r++) {
    resampler.draw(counts);
    sets.forEach((set, m) => {
      const weights = m === 0 ? counts : gather(gathered[m]!, counts, maps[m]!);
      set.values(weights).forEach((value, i) => {
        replicates[m]![i]![r] = value;
      });
    });
  }
  return replicates;
}

/** Relative improvement of `a` over `b` when `better` is the good direction. */
export function relativeImprovement(a: number, b: number, better: 'higher' | 'lower'): number {
  return (better === 'higher' ? a - b : b - a) / Math.abs(b);
}

/**
 * Paired bootstrap of one metric for two models on the same labelled rows.
 *
 * @example
 * const gbdt = { name: 'gbdt', predictions: p1 };
 * const linear = { name: 'linear', predictions: p2 };
 * const c = pairedBootstrap('roc_auc', 'binary', gbdt, linear, labels);
 * c.difference.lower > 0; // gbdt's AUC is higher at 95%
 * c.probabilityABetter;   // e.g. 0.995
 */
export function pairedBootstrap(
  request: MetricRequest,
  task: Task,
  a: ScoredModel,
  b: ScoredModel,
  labels: Labels,
  context: MetricContext = {},
  options: BootstrapOptions = {},
): PairedComparison {
  const config = toConfig(request);
  const { better } = getMetric(config.name, task).info;
  const { confidence } = resolveBootstrap(options);
  const sets = [a, b].map((model) => {
    const modelContext = { ...context, ...model.context };
    return bindMetrics([config], prepareModel(task, model, labels, modelContext), modelContext);
  });
  const [setA, setB] = sets as [MetricSet, MetricSet];
  const [[repA], [repB]] = pairedReplicates(sets, options) as [[Float64Array], [Float64Array]];
  return compareReplicates(
    { metric: config.name, better, a: a.name, b: b.name, confidence },
    [setA.values()[0]!, repA],
    [setB.values()[0]!, repB],
  );
}

/**
 * The comparison of two models from their estimates and paired replicates of
 * one metric.
 *
 * @example
 * compareReplicates({ metric: 'roc_auc', better: 'higher', a: 'gbdt', b: 'linear', confidence: 0.95 },
 *   [0.72, replicatesA], [0.69, replicatesB]).probabilityABetter;
 */
export function compareReplicates(
  about: {
    readonly metric: string;
    readonly better: 'higher' | 'lower';
    readonly a: string;
    readonly b: string;
    readonly confidence: number;
  },
  [estimateA, repA]: readonly [number, Float64Array],
  [estimateB, repB]: readonly [number, Float64Array],
): PairedComparison {
  const { better, confidence } = about;
  const difference = new Float64Array(repA.length);
  const improvement = new Float64Array(repA.length);
  let wins = 0;
  let valid = 0;
  for (let r = 0; r < repA.length; r++) {
    difference[r] = repA[r]! - repB[r]!;
    improvement[r] = relativeImprovement(repA[r]!, repB[r]!, better);
    if (Number.isNaN(difference[r]!)) continue;
    valid++;
    const signed = better === 'higher' ? difference[r]! : -difference[r]!;
    wins += signed > 0 ? 1 : signed === 0 ? 0.5 : 0;
  }
  return {
    metric: about.metric,
    better,
    a: about.a,
    b: about.b,
    estimateA,
    estimateB,
    difference: percentileInterval(estimateA - estimateB, difference, confidence),
    improvement: percentileInterval(
      relativeImprovement(estimateA, estimateB, better),
      improvement,
      confidence,
    ),
    probabilityABetter: valid > 0 ? wins / valid : Number.NaN,
  };
}
