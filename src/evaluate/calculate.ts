/**
 * Calculating metrics: requests (names or configs) are bound once to prepared
 * rows, their parameters checked and their statistics merged, so a set of
 * metrics costs one pass over the rows per evaluation, whether that is the
 * point estimate or a bootstrap replicate.
 */
import type { MetricInfo } from '../spec/index.js';
import { type BinaryNeeds, binaryStatistics, mergeBinaryNeeds } from './binary-statistics.js';
import type { Calculation, MetricParams } from './calculation.js';
import { getMetric, type MetricDefinition } from './metric-registry.js';
import type {
  Labels,
  MetricConfig,
  MetricContext,
  MetricRequest,
  MetricResult,
  Task,
} from './metric-types.js';
import {
  type MulticlassNeeds,
  mergeMulticlassNeeds,
  multiclassStatistics,
} from './multiclass-statistics.js';
import { type PreparedData, prepareData } from './prepared-data.js';
import { regressionStatistics } from './regression-statistics.js';

/** Metrics bound to prepared rows, evaluated together. */
export interface MetricSet {
  readonly data: PreparedData;
  readonly configs: readonly MetricConfig[];
  readonly infos: readonly MetricInfo[];
  /** Every metric's value, on rows weighted per prepared position when `weights` is given. */
  values(weights?: Float64Array): Float64Array;
  /** Every metric's full typed result on the unweighted rows. */
  results(): MetricResult[];
}

/** The config of a request (a bare name becomes `{ name }`). */
export function toConfig(request: MetricRequest): MetricConfig {
  return typeof request === 'string' ? { name: request } : request;
}

/** The context with a metric's own parameters laid over it. */
export function metricParams(config: MetricConfig, context: MetricContext): MetricParams {
  return {
    ...context,
    ...(config.k === undefined ? {} : { k: config.k }),
    ...(config.alpha === undefined ? {} : { alpha: config.alpha }),
    ...(config.beta === undefined ? {} : { beta: config.beta }),
    ...(config.bins === undefined ? {} : { bins: config.bins }),
    ...(config.threshold === undefined ? {} : { thresholdOverride: config.threshold }),
  };
}

/**
 * A short label naming a config's own parameters.
 *
 * @example
 * metricLabel({ name: 'precision_at_k', k: 100 }); // 'precision_at_k@100'
 * metricLabel('roc_auc'); // 'roc_auc'
 */
export function metricLabel(request: MetricRequest): string {
  const c = toConfig(request);
  const parts = [
    c.k === undefined ? '' : `@${c.k}`,
    c.threshold === undefined ? '' : `@t=${c.threshold}`,
    c.beta === undefined ? '' : `(beta=${c.beta})`,
    c.alpha === undefined ? '' : `(alpha=${c.alpha})`,
    c.bins === undefined ? '' : `(bins=${c.bins})`,
  ];
  return c.name + parts.join('');
}

type AnyCalculation = Calculation<PreparedData, object, unknown>;

function statisticsOf(data: PreparedData, needs: object, weights?: Float64Array): unknown {
  if (data.task === 'binary') return binaryStatistics(data, needs as BinaryNeeds, weights);
  if (data.task === 'multiclass') {
    return multiclassStatistics(data, needs as MulticlassNeeds, weights);
  }
  return regressionStatistics(data, weights);
}

function mergeNeeds(task: Task, a: object, b: object): object {
  if (task === 'binary') return mergeBinaryNeeds(a as BinaryNeeds, b as BinaryNeeds);
  if (task === 'multiclass')
    return mergeMulticlassNeeds(a as MulticlassNeeds, b as MulticlassNeeds);
  return {};
}

/**
 * Binds requests to prepared rows, checking that each metric exists for their
 * task and that its parameters are valid (a FlywheelError otherwise).
 *
 * @example
 * const data = prepareData('binary', Float64Array.of(0.1, 0.4, 0.35, 0.8), Float64Array.of(0, 0, 1, 1));
 * bindMetrics(['roc_auc', 'pr_auc'], data).values(); // Float64Array [0.75, 0.8333…]
 */
export function bindMetrics(
  requests: readonly MetricRequest[],
  data: PreparedData,
  context: MetricContext = {},
): MetricSet {
  const configs = requests.map(toConfig);
  const definitions: MetricDefinition[] = configs.map((c) => getMetric(c.name, data.task));
  const calculations = definitions.map((d) => d[data.task] as unknown as AnyCalculation);
  const params = configs.map((c) => metricParams(c, context));
  let needs: object = {};
  calculations.forEach((calculation, i) => {
    needs = mergeNeeds(data.task, needs, calculation.needs(data, params[i]!));
  });
  const values = (weights?: Float64Array): Float64Array => {
    const stats = statisticsOf(data, needs, weights);
    return Float64Array.from(calculations, (c, i) => c.finish(stats, data, params[i]!));
  };
  return {
    data,
    configs,
    infos: definitions.map((d) => d.info),
    values,
    results: () => {
      const stats = statisticsOf(data, needs);
      return calculations.map((calculation, i) => {
        const p = params[i]!;
        const detail = calculation.detail?.(stats, data, p);
        return {
          name: configs[i]!.name,
          task: data.task,
          value: calculation.finish(stats, data, p),
          better: definitions[i]!.info.better,
          rows: data.n,
          parameters: calculation.parameters?.(data, p) ?? {},
          ...(detail === undefined ? {} : { detail }),
        };
      });
    },
  };
}

/**
 * Several metrics on the same rows (prepared once, one pass). Every request is
 * checked before any is calculated, so a bad name fails fast.
 *
 * @example
 * calculateMetrics(['mae', 'rmse', 'r2'], 'regression', Float64Array.of(2, 5), Float64Array.of(3, 4));
 * // [{ name: 'mae', value: 1, … }, { name: 'rmse', value: 1, … }, { name: 'r2', value: -3, … }]
 */
export function calculateMetrics(
  requests: readonly MetricRequest[],
  task: Task,
  predictions: Float64Array,
  labels: Labels,
  context: MetricContext = {},
): MetricResult[] {
  for (const request of requests) getMetric(toConfig(request).name, task);
  return bindMetrics(requests, prepareData(task, predictions, labels, context), context).results();
}

/**
 * One metric on predictions and labels.
 *
 * @example
 * const scores = Float64Array.of(0.1, 0.4, 0.35, 0.8);
 * calculateMetric('roc_auc', 'binary', scores, Float64Array.of(0, 0, 1, 1)).value; // 0.75
 */
export function calculateMetric(
  request: MetricRequest,
  task: Task,
  predictions: Float64Array,
  labels: Labels,
  context: MetricContext = {},
): MetricResult {
  return calculateMetrics([request], task, predictions, labels, context)[0]!;
}
