/**
 * One model's full evaluation on the test split, for the report and the
 * registry: the decision policy (cost-optimal threshold from validation, or
 * top-k under a capacity) and what it costs on test, every metric of the task
 * with a bootstrap interval, and the curves (ROC, precision-recall, cost
 * against threshold, reliability). Rows are sorted once; all intervals share
 * one set of replicates, one fused pass per replicate.
 */
import { FlywheelError } from '../errors.js';
import { DEFAULT_ECE_BINS, reliabilityBins } from './binary-probability.js';
import {
  type BootstrapOptions,
  bootstrapIntervals,
  type Interval,
  resolveBootstrap,
} from './bootstrap.js';
import { bindMetrics, metricLabel } from './calculate.js';
import {
  DEFAULT_MAX_POINTS,
  type PrPoint,
  prCurveOf,
  type RocPoint,
  rocCurveOf,
} from './curves.js';
import {
  chooseDecisionPolicy,
  type DecisionPolicy,
  type DecisionReport,
  decisionReportOf,
  policyContext,
} from './decision-policy.js';
import { metricNames } from './metric-registry.js';
import type {
  Labels,
  MetricContext,
  MetricRequest,
  MetricResult,
  ReliabilityBin,
  Task,
} from './metric-types.js';
import { type PreparedData, prepareData } from './prepared-data.js';

export interface EvaluateModelInput {
  readonly task: Task;
  readonly name?: string;
  /** Test predictions (multiclass: row-major rows × classes) and labels. */
  readonly predictions: Float64Array;
  readonly labels: Labels;
  /** Costs, capacity and parameters (see `metricContextFromSpec`). */
  readonly context?: MetricContext;
  /** Test event times (epoch ms), for a capacity counted per day, week or month. */
  readonly eventTime?: Float64Array;
  /** Binary: labelled validation rows the cost-optimal threshold is chosen on. */
  readonly validation?: { readonly predictions: Float64Array; readonly labels: Float64Array };
  /** Metrics to report; default every metric of the task that applies (see `defaultMetrics`). */
  readonly metrics?: readonly MetricRequest[];
  /** Interval options; `false` for point estimates only. */
  readonly bootstrap?: BootstrapOptions | false;
  /** Binary: whether to compute curves (default true), and their size. */
  readonly curves?: boolean;
  readonly maxCurvePoints?: number;
}

/** A metric's result with its label and interval. */
export interface MetricEstimate extends MetricResult {
  readonly label: string;
  readonly interval?: Interval;
}

export interface ModelEvaluation {
  readonly name?: string;
  readonly task: Task;
  /** Labelled test rows. */
  readonly rows: number;
  readonly positives?: number;
  readonly decision?: DecisionReport;
  readonly metrics: readonly MetricEstimate[];
  readonly curves?: {
    readonly roc: readonly RocPoint[];
    readonly pr: readonly PrPoint[];
    readonly reliability?: readonly ReliabilityBin[];
  };
  readonly bootstrap?: Required<BootstrapOptions>;
}

/**
 * Every metric of the task that can be computed here: @k metrics only with a
 * k or a capacity, probability metrics only for scores in [0, 1].
 *
 * @example
 * defaultMetrics(prepareData('binary', Float64Array.of(-1, 2), Float64Array.of(0, 1)), {});
 * // ['roc_auc', 'pr_auc', 'precision', 'recall', 'f1', 'expected_cost', 'cost_per_decision', 'accuracy']
 */
export function defaultMetrics(data: PreparedData, context: MetricContext): MetricRequest[] {
  return metricNames(data.task).filter((name) => {
    if (data.task !== 'binary') return true;
    if (name.endsWith('_at_k')) return context.k !== undefined || data.rule.kind === 'top_k';
    if (name === 'log_loss' || name === 'brier' || name === 'ece') return data.probabilities;
    return true;
  });
}

function binaryPolicy(input: EvaluateModelInput, context: MetricContext): DecisionPolicy {
  if (context.threshold !== undefined && context.capacity === undefined) {
    return { kind: 'threshold', threshold: context.threshold, chosenOn: 'given' };
  }
  return chooseDecisionPolicy({
    ...(context.costs === undefined ? {} : { costs: context.costs }),
    ...(context.capacity === undefined ? {} : { capacity: context.capacity }),
    ...(input.validation === undefined ? {} : { validation: input.validation }),
  });
}

/**
 * Evaluates one model on test rows.
 *
 * @example
 * const evaluation = evaluateModel({
 *   task: 'binary', name: 'gbdt', predictions: test.predictions, labels: test.labels,
 *   validation: { predictions: validation.predictions, labels: validation.labels },
 *   context: metricContextFromSpec(spec),
 * });
 * evaluation.decision?.policy;   // { kind: 'threshold', threshold: 0.23, chosenOn: 'validation', … }
 * evaluation.metrics.find((m) => m.name === 'roc_auc')?.interval; // { lower, upper, … }
 */
export function evaluateModel(input: EvaluateModelInput): ModelEvaluation {
  const { task } = input;
  const base = input.context ?? {};
  const policy = task === 'binary' ? binaryPolicy(input, base) : undefined;
  const context: MetricContext =
    policy === undefined
      ? base
      : {
          ...base,
          threshold: undefined,
          capacity: undefined,
          ...policyContext(policy, input.eventTime),
        };
  const data = prepareData(task, input.predictions, input.labels, context);
  if (data.n === 0) {
    throw new FlywheelError(
      'DATA_EMPTY',
      `no labelled test rows to evaluate${input.name ? ` ${input.name}` : ''} on`,
    );
  }
  const requests = input.metrics ?? defaultMetrics(data, context);
  const set = bindMetrics(requests, data, context);
  const results = set.results();
  const intervals =
    input.bootstrap === false ? undefined : bootstrapIntervals(set, input.bootstrap ?? {});
  const metrics = results.map((result, i) => ({
    ...result,
    label: metricLabel(set.configs[i]!),
    ...(intervals === undefined ? {} : { interval: intervals[i]! }),
  }));

  let decision: DecisionReport | undefined;
  let curves: ModelEvaluation['curves'];
  if (data.task === 'binary' && policy !== undefined) {
    const maxPoints = input.maxCurvePoints ?? DEFAULT_MAX_POINTS;
    decision = decisionReportOf(policy, data, context.costs, maxPoints);
    if (input.curves !== false) {
      curves = {
        roc: rocCurveOf(data, maxPoints),
        pr: prCurveOf(data, maxPoints),
        ...(data.probabilities
          ? { reliability: reliabilityBins(data, context.bins ?? DEFAULT_ECE_BINS) }
          : {}),
      };
    }
  }
  return {
    ...(input.name === undefined ? {} : { name: input.name }),
    task,
    rows: data.n,
    ...(data.task === 'binary' ? { positives: data.positives } : {}),
    ...(decision === undefined ? {} : { decision }),
    metrics,
    ...(curves === undefined ? {} : { curves }),
    ...(input.bootstrap === false ? {} : { bootstrap: resolveBootstrap(input.bootstrap ?? {}) }),
  };
}
