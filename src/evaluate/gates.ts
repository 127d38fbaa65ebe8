/**
 * Gates (step 5): each acceptance criterion of the spec judged at its
 * confidence level, never on the point estimate alone. A minimum must be
 * cleared by the lower bound of the two-sided bootstrap interval at
 * `acceptance.confidence`, a maximum by the upper bound; lift over the best
 * baseline is the candidate's relative improvement on the baseline with the
 * best estimate, in the metric's good direction, from a paired bootstrap, and
 * its lower bound must reach the required minimum. The verdict lists every
 * criterion with its numbers and serialises to JSON.
 */
import { FlywheelError } from '../errors.js';
import type { Spec } from '../spec/index.js';
import {
  type BootstrapOptions,
  bootstrapReplicates,
  type Interval,
  percentileInterval,
  resolveBootstrap,
} from './bootstrap.js';
import { bindMetrics } from './calculate.js';
import { getMetric } from './metric-registry.js';
import type { Labels, MetricConfig, MetricContext, Task } from './metric-types.js';
import {
  compareReplicates,
  type PairedComparison,
  pairedReplicates,
  prepareModel,
  type ScoredModel,
} from './paired-bootstrap.js';

export type Acceptance = Spec['acceptance'];

export interface GateCriterion {
  /** Stable id: `roc_auc.min`, `cost_per_decision.max`, `lift_over_baseline`. */
  readonly name: string;
  readonly kind: 'bound' | 'lift';
  readonly metric: string;
  /** Bounds: which side the bound is on; lift: always a minimum improvement. */
  readonly side: 'min' | 'max';
  readonly bound: number;
  /** Bounds: the candidate's metric; lift: its relative improvement over the best baseline. */
  readonly estimate: number;
  readonly interval: readonly [number, number];
  readonly passed: boolean;
  readonly explanation: string;
  /** Lift: the baseline compared against, and its metric value. */
  readonly baseline?: { readonly name: string; readonly estimate: number };
  readonly k?: number;
}

export interface GateVerdict {
  readonly passed: boolean;
  readonly confidence: number;
  readonly candidate: string;
  readonly resamples: number;
  readonly seed: number;
  readonly criteria: readonly GateCriterion[];
}

export interface AcceptanceInput {
  readonly acceptance: Acceptance;
  readonly task: Task;
  readonly labels: Labels;
  readonly candidate: ScoredModel;
  /** Baselines scored on the same rows; lift_over_baseline needs at least one. */
  readonly baselines?: readonly ScoredModel[];
  /** Shared context (costs, capacity, …); each model may add its own (its threshold). */
  readonly context?: MetricContext;
  /** Resamples and seed; the confidence always comes from the acceptance section. */
  readonly bootstrap?: Omit<BootstrapOptions, 'confidence'>;
}

const percent = (x: number) => `${(100 * x).toFixed(2)}%`;
const num = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(4)).toString() : String(x));

function boundCriterion(
  metric: MetricConfig,
  side: 'min' | 'max',
  bound: number,
  interval: Interval,
): GateCriterion {
  const level = percent(interval.confidence).replace('.00', '');
  const limit = side === 'min' ? interval.lower : interval.upper;
  const passed = side === 'min' ? limit >= bound : limit <= bound;
  const which = side === 'min' ? 'lower' : 'upper';
  const explanation = Number.isNaN(limit)
    ? `${metric.name} has no value on these rows (e.g. one class only), so ${side} ${num(bound)} cannot be shown`
    : `${metric.name} ${num(interval.estimate)} (${level} interval ${num(interval.lower)} to ${num(interval.upper)}): the ${which} bound ${num(limit)} ${passed ? 'clears' : 'does not clear'} the ${side === 'min' ? 'minimum' : 'maximum'} ${num(bound)}`;
  return {
    name: `${metric.name}.${side}`,
    kind: 'bound',
    metric: metric.name,
    side,
    bound,
    estimate: interval.estimate,
    interval: [interval.lower, interval.upper],
    passed,
    explanation,
    ...(metric.k === undefined ? {} : { k: metric.k }),
  };
}

type Lift = NonNullable<Acceptance['lift_over_baseline']>;

function liftCriterion(
  lift: Lift,
  confidence: number,
  best: { baseline: ScoredModel; value: number } | undefined,
  comparison: PairedComparison | undefined,
): GateCriterion {
  const common = {
    name: 'lift_over_baseline',
    kind: 'lift',
    metric: lift.metric,
    side: 'min',
  } as const;
  if (best === undefined || comparison === undefined) {
    return {
      ...common,
      bound: lift.min,
      estimate: Number.NaN,
      interval: [Number.NaN, Number.NaN],
      passed: false,
      explanation: `no baseline has a ${lift.metric} on these rows to improve on`,
    };
  }
  const { improvement } = comparison;
  const defined = best.value !== 0;
  const passed = defined && improvement.lower >= lift.min;
  const level = percent(confidence).replace('.00', '');
  return {
    ...common,
    bound: lift.min,
    estimate: improvement.estimate,
    interval: [improvement.lower, improvement.upper],
    passed,
    explanation: defined
      ? `${lift.metric} ${num(comparison.estimateA)} against ${num(best.value)} for the best baseline ${best.baseline.name}: an improvement of ${percent(improvement.estimate)} (${level} interval ${percent(improvement.lower)} to ${percent(improvement.upper)}); the lower bound ${passed ? 'reaches' : 'falls short of'} the required ${percent(lift.min)}`
      : `the best baseline ${best.baseline.name} has ${lift.metric} 0, so a relative improvement is undefined`,
    baseline: { name: best.baseline.name, estimate: best.value },
  };
}

/**
 * Judges every acceptance criterion of the spec against the candidate.
 * All criteria are checked (names, tasks, baselines) before any is computed.
 *
 * @example
 * const verdict = judgeAcceptance({
 *   acceptance: spec.acceptance, task: 'binary', labels: test.labels,
 *   candidate: { name: 'gbdt', predictions, context: { threshold: 0.21 } },
 *   baselines: [{ name: 'prior', predictions: prior, context: { threshold: 0.2 } }],
 *   context: metricContextFromSpec(spec),
 * });
 * verdict.passed; // false → exit code 4
 * JSON.stringify(verdict);
 */
export function judgeAcceptance(input: AcceptanceInput): GateVerdict {
  const { acceptance, task, labels, candidate } = input;
  const confidence = acceptance.confidence;
  const options: BootstrapOptions = { ...input.bootstrap, confidence };
  const { resamples, seed } = resolveBootstrap(options);
  const context = input.context ?? {};
  const baselines = input.baselines ?? [];

  const bounds: { metric: MetricConfig; side: 'min' | 'max'; bound: number }[] = [];
  for (const [name, b] of Object.entries(acceptance.metrics)) {
    const metric: MetricConfig = b.k === undefined ? { name } : { name, k: b.k };
    getMetric(name, task);
    if (b.min !== undefined) bounds.push({ metric, side: 'min', bound: b.min });
    if (b.max !== undefined) bounds.push({ metric, side: 'max', bound: b.max });
  }
  const lift = acceptance.lift_over_baseline;
  if (lift !== undefined) {
    getMetric(lift.metric, task);
    if (baselines.length === 0) {
      throw new FlywheelError(
        'USAGE',
        'acceptance.lift_over_baseline needs at least one baseline scored on the same rows',
      );
    }
  }

  // Every model's rows are checked before any interval is computed.
  const candidateContext = { ...context, ...candidate.context };
  const candidateData = prepareModel(task, candidate, labels, candidateContext);
  const baselineValues =
    lift === undefined
      ? []
      : baselines.map((baseline) => {
          const baselineContext = { ...context, ...baseline.context };
          const data = prepareModel(task, baseline, labels, baselineContext);
          const set = bindMetrics([lift.metric], data, baselineContext);
          return { baseline, set, value: set.values()[0]! };
        });
  const better = lift === undefined ? 'higher' : getMetric(lift.metric, task).info.better;
  const best = baselineValues
    .filter((s) => !Number.isNaN(s.value))
    .reduce<(typeof baselineValues)[number] | undefined>(
      (top, s) =>
        top === undefined || (better === 'higher' ? s.value > top.value : s.value < top.value)
          ? s
          : top,
      undefined,
    );

  // One set of replicates for every criterion: the bounds' metrics and the
  // lift metric on the candidate, paired with the best baseline's.
  const metrics = [...bounds.map((b) => b.metric), ...(lift === undefined ? [] : [lift.metric])];
  const candidateSet = bindMetrics(metrics, candidateData, candidateContext);
  const estimates = candidateSet.values();
  const replicates =
    best === undefined
      ? [bootstrapReplicates(candidateSet, options)]
      : pairedReplicates([candidateSet, best.set], options);
  const criteria: GateCriterion[] = bounds.map((b, i) =>
    boundCriterion(
      b.metric,
      b.side,
      b.bound,
      percentileInterval(estimates[i]!, replicates[0]![i]!, confidence),
    ),
  );
  if (lift !== undefined) {
    const comparison =
      best === undefined
        ? undefined
        : compareReplicates(
            { metric: lift.metric, better, a: candidate.name, b: best.baseline.name, confidence },
            [estimates[bounds.length]!, replicates[0]![bounds.length]!],
            [best.value, replicates[1]![0]!],
          );
    criteria.push(liftCriterion(lift, confidence, best, comparison));
  }

  return {
    passed: criteria.every((c) => c.passed),
    confidence,
    candidate: candidate.name,
    resamples,
    seed,
    criteria,
  };
}
