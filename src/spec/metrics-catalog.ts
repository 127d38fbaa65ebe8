/**
 * The catalogue of metric names a spec may refer to: which tasks each one
 * exists for, its range and which direction is better. The falsifiability
 * lint and the acceptance gates both bind to these names.
 */

export type Task = 'binary' | 'multiclass' | 'regression';

export interface MetricInfo {
  readonly name: string;
  readonly tasks: readonly Task[];
  /** Inclusive range of possible values. */
  readonly range: readonly [number, number];
  readonly better: 'higher' | 'lower';
  /** A value every uninformative model reaches; a bound at or past it cannot fail. */
  readonly chance?: number;
  readonly description: string;
}

const INF = Number.POSITIVE_INFINITY;

export const METRICS: readonly MetricInfo[] = [
  {
    name: 'roc_auc',
    tasks: ['binary'],
    range: [0, 1],
    better: 'higher',
    chance: 0.5,
    description: 'area under the ROC curve',
  },
  {
    name: 'pr_auc',
    tasks: ['binary'],
    range: [0, 1],
    better: 'higher',
    description: 'average precision (area under the precision-recall curve)',
  },
  {
    name: 'log_loss',
    tasks: ['binary', 'multiclass'],
    range: [0, INF],
    better: 'lower',
    description: 'mean negative log-likelihood',
  },
  {
    name: 'brier',
    tasks: ['binary'],
    range: [0, 1],
    better: 'lower',
    description: 'mean squared error of the probability',
  },
  {
    name: 'ece',
    tasks: ['binary'],
    range: [0, 1],
    better: 'lower',
    description: 'expected calibration error (equal-mass bins)',
  },
  {
    name: 'precision',
    tasks: ['binary'],
    range: [0, 1],
    better: 'higher',
    description: 'precision at the decision threshold',
  },
  {
    name: 'recall',
    tasks: ['binary'],
    range: [0, 1],
    better: 'higher',
    description: 'recall at the decision threshold',
  },
  {
    name: 'f1',
    tasks: ['binary'],
    range: [0, 1],
    better: 'higher',
    description: 'F1 at the decision threshold',
  },
  {
    name: 'precision_at_k',
    tasks: ['binary'],
    range: [0, 1],
    better: 'higher',
    description: 'precision among the k highest scores',
  },
  {
    name: 'recall_at_k',
    tasks: ['binary'],
    range: [0, 1],
    better: 'higher',
    description: 'recall among the k highest scores',
  },
  {
    name: 'lift_at_k',
    tasks: ['binary'],
    range: [0, INF],
    better: 'higher',
    chance: 1,
    description: 'precision at k over the base rate',
  },
  {
    name: 'expected_cost',
    tasks: ['binary', 'multiclass', 'regression'],
    range: [-INF, INF],
    better: 'lower',
    description: 'total business cost of the decisions (currency)',
  },
  {
    name: 'cost_per_decision',
    tasks: ['binary', 'multiclass', 'regression'],
    range: [-INF, INF],
    better: 'lower',
    description: 'mean business cost per decision (currency)',
  },
  {
    name: 'accuracy',
    tasks: ['binary', 'multiclass'],
    range: [0, 1],
    better: 'higher',
    description: 'share of correct decisions',
  },
  {
    name: 'macro_f1',
    tasks: ['multiclass'],
    range: [0, 1],
    better: 'higher',
    description: 'unweighted mean of per-class F1',
  },
  {
    name: 'micro_f1',
    tasks: ['multiclass'],
    range: [0, 1],
    better: 'higher',
    description: 'F1 over all decisions pooled',
  },
  {
    name: 'top_k_accuracy',
    tasks: ['multiclass'],
    range: [0, 1],
    better: 'higher',
    description: 'share of rows whose class is among the k most likely',
  },
  {
    name: 'mae',
    tasks: ['regression'],
    range: [0, INF],
    better: 'lower',
    description: 'mean absolute error',
  },
  {
    name: 'rmse',
    tasks: ['regression'],
    range: [0, INF],
    better: 'lower',
    description: 'root mean squared error',
  },
  {
    name: 'r2',
    tasks: ['regression'],
    range: [-INF, 1],
    better: 'higher',
    chance: 0,
    description: 'coefficient of determination',
  },
  {
    name: 'quantile_loss',
    tasks: ['regression'],
    range: [0, INF],
    better: 'lower',
    description: 'pinball loss at the spec quantile',
  },
];

const BY_NAME = new Map(METRICS.map((m) => [m.name, m]));

/** The catalogue entry for `name`, or undefined when no such metric exists. */
export function metricInfo(name: string): MetricInfo | undefined {
  return BY_NAME.get(name);
}

/** Names of the metrics that exist for `task`. */
export function metricsForTask(task: Task): string[] {
  return METRICS.filter((m) => m.tasks.includes(task)).map((m) => m.name);
}
