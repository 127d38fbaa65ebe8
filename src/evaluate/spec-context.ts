/**
 * The bridge from a framing spec to metric calculations: the business section
 * of `flywheel.yaml` (outcome costs, the cost of a wrong class, the regression
 * prices per unit, the capacity) as a MetricContext.
 */
import type { Spec } from '../spec/index.js';
import type { MetricContext } from './metric-types.js';

/**
 * The metric context a spec implies.
 *
 * @example
 * metricContextFromSpec(spec);
 * // { costs: { tp: 20, fp: 20, fn: 80, tn: 0 } } for the flights example
 */
export function metricContextFromSpec(spec: Spec): MetricContext {
  const b = spec.business;
  return {
    ...(b.costs === undefined ? {} : { costs: b.costs }),
    ...(b.misclassification_cost === undefined
      ? {}
      : { misclassificationCost: b.misclassification_cost }),
    ...(b.under_cost_per_unit === undefined ? {} : { underCostPerUnit: b.under_cost_per_unit }),
    ...(b.over_cost_per_unit === undefined ? {} : { overCostPerUnit: b.over_cost_per_unit }),
    ...(b.capacity === undefined
      ? {}
      : { capacity: { maxPositives: b.capacity.max_positives, per: b.capacity.per } }),
  };
}
