/**
 * The decision rule under a capacity: act on the k highest scores of each
 * period (spec `business.capacity`), and on nothing else. Ties at the k-th
 * score are broken by row order, so the rule is deterministic.
 */
import { FlywheelError } from '../errors.js';
import { argsortDescending } from './argsort.js';
import type { Capacity } from './metric-types.js';
import { periodIds } from './periods.js';

/**
 * Act (1) on the `capacity.maxPositives` highest-scoring rows of each period.
 * A capacity larger than the evaluated set is an error: it would not bind.
 *
 * @example
 * topKDecisions(Float64Array.of(0.1, 0.9, 0.5), { maxPositives: 2, per: 'batch' });
 * // Uint8Array [0, 1, 1]
 */
export function topKDecisions(
  scores: Float64Array,
  capacity: Capacity,
  eventTime?: Float64Array,
): Uint8Array {
  const k = capacity.maxPositives;
  if (!Number.isInteger(k) || k < 1) {
    throw new FlywheelError('USAGE', `capacity must be a positive whole number, got ${k}`);
  }
  if (k > scores.length) {
    throw new FlywheelError(
      'USAGE',
      `business.capacity.max_positives is ${k} per ${capacity.per}, larger than the ${scores.length} rows evaluated: the top-k policy would act on every row`,
      {
        hint: `lower max_positives below ${scores.length}, or remove the capacity to use the cost-optimal threshold`,
        details: { maxPositives: k, rows: scores.length },
      },
    );
  }
  const { ids, count } = periodIds(eventTime, capacity.per, scores.length);
  const taken = new Int32Array(count);
  const decisions = new Uint8Array(scores.length);
  for (const row of argsortDescending(scores)) {
    const period = ids[row]!;
    if (taken[period]! < k) {
      taken[period]!++;
      decisions[row] = 1;
    }
  }
  return decisions;
}
