/** The monitoring settings of a spec, with the bounds the framing implies filled in. */
import { monitorSettings, type Spec } from '../spec/index.js';
import type { MonitorSettings } from './types.js';

/**
 * `monitor` with every default, and the estimated-cost bound taken from
 * the framing (`acceptance.metrics.cost_per_decision.max`) when not set: the
 * business cost declared in step 1 prices the alerts.
 *
 * @example
 * projectMonitorSettings(spec).rules.estimated_cost.max // 14 on the flights example
 */
export function projectMonitorSettings(
  spec: Pick<Spec, 'monitor' | 'acceptance'>,
): MonitorSettings {
  const settings = monitorSettings(spec);
  const bound = (spec.acceptance?.metrics as Record<string, { max?: number }> | undefined)?.[
    'cost_per_decision'
  ]?.max;
  if (settings.rules.estimated_cost.max !== undefined || bound === undefined) return settings;
  return {
    ...settings,
    rules: { ...settings.rules, estimated_cost: { ...settings.rules.estimated_cost, max: bound } },
  };
}
