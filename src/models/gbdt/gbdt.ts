/**
 * The histogram gradient-boosted tree estimator: parameters in, a fitted
 * FittedGBDT out. `fit` validates the target, bins the features, starts the
 * training threads and runs the boosting loop.
 */
import { availableParallelism } from 'node:os';
import type { Column, Frame } from '../../data/index.js';
import { FlywheelError } from '../../errors.js';
import { createRng } from '../../random.js';
import type { Task } from '../../spec/index.js';
import { alignFrame, schemaOf } from '../align.js';
import type { Estimator, FeatureSchema, FitOptions } from '../estimator.js';
import { parseParams } from '../model-file.js';
import { binData } from './binned-data.js';
import { type BoostResult, boost, type ValidationData } from './boosting.js';
import { FittedGBDT } from './fitted-gbdt.js';
import { joinTrees } from './forest.js';
import type { GBDTState } from './model-file.js';
import { createObjective, type Objective, type ObjectiveName } from './objectives/index.js';
import { GBDTParams, type GBDTParamsInput } from './params.js';
import { toRowMajor } from './predict.js';
import { createTaskMemory } from './task-memory.js';
import { ThreadPool } from './thread-pool.js';
import { type TrainingTarget, trainingTarget } from './training-target.js';

/** Below this many rows one thread is faster than handing work out. */
const ROWS_PER_EXTRA_THREAD = 1 << 17;

function objectiveFor(task: Task, requested: GBDTParams['objective']): ObjectiveName {
  if (requested === 'auto') return task;
  const fits = requested === task || (requested === 'quantile' && task === 'regression');
  if (!fits) {
    throw new FlywheelError('USAGE', `objective "${requested}" does not fit a ${task} task`, {
      hint: task === 'regression' ? 'use regression or quantile' : `use ${task} or auto`,
    });
  }
  return requested;
}

/** Threads to train with: the request (capped at the cores), or by data size for 0. */
export function threadCount(requested: number, rows: number): number {
  const cores = availableParallelism();
  if (requested > 0) return Math.min(requested, cores);
  return Math.max(1, Math.min(cores, Math.floor(rows / ROWS_PER_EXTRA_THREAD)));
}

/** Row-major features of `rows` (for scoring validation rows while training). */
function rowMajorOf(columns: readonly Column[], rows: Int32Array): Float64Array {
  const f = columns.length;
  const x = new Float64Array(rows.length * f);
  const one = new Float64Array(Math.max(1, f));
  rows.forEach((r, i) => {
    toRowMajor(columns, r, r + 1, one);
    x.set(one.subarray(0, f), i * f);
  });
  return x;
}

/**
 * Histogram gradient-boosted decision trees in the manner of LightGBM:
 * quantile-binned features, leaf-wise growth, native categorical splits,
 * learned missing-value directions, and early stopping on a validation set.
 *
 * @example
 * const model = await new GBDT({ n_estimators: 200 }).fit(frame, target, { task: 'binary', seed: 1 });
 * const p = model.predict(testFrame); // P(positive) per row
 */
export class GBDT implements Estimator<GBDTParams, FittedGBDT> {
  readonly kind = 'gbdt';
  readonly tasks = ['binary', 'multiclass', 'regression'] as const;
  readonly params: GBDTParams;

  constructor(params: GBDTParamsInput = {}) {
    this.params = parseParams('gbdt', GBDTParams, params);
  }

  async fit(frame: Frame, target: Column, options: FitOptions): Promise<FittedGBDT> {
    const params = this.params;
    const task = options.task;
    const objectiveName = objectiveFor(task, params.objective);
    const classes =
      task === 'multiclass'
        ? (options.classes ?? (target.type === 'categorical' ? target.dictionary : []))
        : undefined;
    const numClass = classes?.length ?? 2;
    const objective = createObjective(objectiveName, numClass, params.alpha);
    const schema = schemaOf(frame);
    const columns = alignFrame(frame, schema);
    const labelled = trainingTarget(target, task, frame.rowCount, numClass, options.weights);
    const seed = options.seed ?? 0;

    const result = isConstant(labelled.label, task)
      ? constantModel(Float64Array.of(labelled.label[0]!), columns.length)
      : await this.train(columns, labelled, objective, seed, options, schema);
    const state: GBDTState = {
      objective: objectiveName,
      numModels: objective.numModels,
      numFeatures: columns.length,
      initScore: [...result.forest.initScore],
      rounds: result.rounds,
      importance: [...result.importance],
    };
    return new FittedGBDT(
      task,
      schema,
      params,
      result.forest,
      state,
      classes ? [...classes] : undefined,
    );
  }

  private async train(
    columns: Column[],
    labelled: TrainingTarget,
    objective: Objective,
    seed: number,
    options: FitOptions,
    schema: FeatureSchema,
  ): Promise<BoostResult> {
    const params = this.params;
    const threads = threadCount(params.num_threads, labelled.rows.length);
    const shared = threads > 1;
    const binning = { maxBins: params.max_bins, minDataInBin: params.min_data_in_bin };
    const data = binData(columns, labelled.rows, binning, createRng(seed), shared);
    const memory = createTaskMemory(
      {
        bins: data.bins,
        rowCount: data.rowCount,
        stride: data.featureCount,
        offsets: data.offsets,
        numModels: objective.numModels,
        maxLeaves: params.num_leaves,
        label: labelled.label,
        weight: labelled.weight,
      },
      threads,
    );
    let validation: ValidationData | undefined;
    if (options.validation) {
      const { frame, target } = options.validation;
      const numClass = Math.max(2, objective.numModels);
      const v = trainingTarget(target, options.task, frame.rowCount, numClass, undefined, false);
      validation = {
        x: rowMajorOf(alignFrame(frame, schema), v.rows),
        label: v.label,
        weight: null,
      };
    }
    const pool = await ThreadPool.open(memory, threads);
    try {
      return boost({
        data,
        weight: labelled.weight,
        objective,
        params,
        seed,
        threads: pool,
        ...(validation ? { validation } : {}),
        onProgress: (iteration, metric) =>
          options.onProgress?.({
            iteration,
            total: params.n_estimators,
            ...(metric ? { metric } : {}),
          }),
      });
    } finally {
      await pool.close();
    }
  }
}

/** A regression target with one value: the model is that value (no trees). */
function isConstant(label: Float64Array, task: Task): boolean {
  if (task !== 'regression') return false;
  for (let i = 1; i < label.length; i++) if (label[i] !== label[0]) return false;
  return true;
}

function constantModel(init: Float64Array, features: number): BoostResult {
  return {
    forest: joinTrees([], features, init.length, init),
    importance: new Float64Array(features),
    rounds: 0,
    roundsRun: 0,
  };
}
