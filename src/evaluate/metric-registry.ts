/**
 * The metric registry: every name of the spec's metric catalogue
 * (src/spec/metrics-catalog.ts) bound to one calculation per task it exists
 * for (metric-calculations.ts). An unknown name, or a name used for the wrong
 * task, is an error that lists the valid names.
 */
import { FlywheelError } from '../errors.js';
import { didYouMean, METRICS, type MetricInfo, metricInfo } from '../spec/index.js';
import { CALCULATIONS, type TaskCalculations } from './metric-calculations.js';
import type { Task } from './metric-types.js';

/** A registered metric: its catalogue entry and its calculation per task. */
export interface MetricDefinition extends TaskCalculations {
  readonly info: MetricInfo;
}

/**
 * Every registered metric, keyed by its catalogue name.
 *
 * @example
 * METRIC_REGISTRY.get('brier')?.info.better; // 'lower'
 */
export const METRIC_REGISTRY: ReadonlyMap<string, MetricDefinition> = new Map(
  Object.entries(CALCULATIONS).map(([name, calculations]) => {
    const info = metricInfo(name);
    if (info === undefined) throw new Error(`metric ${name} is not in the spec's metric catalogue`);
    return [name, { info, ...calculations }];
  }),
);

/**
 * Names of the registered metrics, in catalogue order, optionally only those for `task`.
 *
 * @example
 * metricNames('regression'); // ['expected_cost', 'cost_per_decision', 'mae', 'rmse', 'r2', 'quantile_loss']
 */
export function metricNames(task?: Task): string[] {
  return METRICS.filter(
    (m) => METRIC_REGISTRY.has(m.name) && (task === undefined || m.tasks.includes(task)),
  ).map((m) => m.name);
}

/**
 * The metric called `name`, for `task` when given; otherwise a FlywheelError
 * listing the valid names.
 *
 * @example
 * getMetric('roc_auc').info.better; // 'higher'
 * getMetric('roc_acu'); // throws: unknown metric "roc_acu" (did you mean "roc_auc"?); metrics are: …
 */
export function getMetric(name: string, task?: Task): MetricDefinition {
  const definition = METRIC_REGISTRY.get(name);
  if (definition === undefined) {
    const valid = metricNames(task);
    throw new FlywheelError(
      'USAGE',
      `unknown metric "${name}"${didYouMean(name, valid)}; metrics${task ? ` for ${task} tasks` : ''} are: ${valid.join(', ')}`,
      { details: { metric: name, valid } },
    );
  }
  if (task !== undefined && definition[task] === undefined) {
    throw new FlywheelError(
      'USAGE',
      `metric "${name}" does not apply to ${task} tasks (only ${definition.info.tasks.join(', ')}); metrics for ${task} tasks are: ${metricNames(task).join(', ')}`,
      { details: { metric: name, task } },
    );
  }
  return definition;
}
