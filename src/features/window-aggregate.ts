/**
 * The one definition of what a point-in-time feature's window holds and how
 * it is combined: the online store answers with it, the TypeScript oracle
 * (`pointInTimeValue`) is built on it, and the offline DuckDB join is tested
 * equal to it on real data.
 */

export type Aggregate = 'count' | 'sum' | 'mean' | 'min' | 'max' | 'last';

/** One event as a window sees it: when it became known (ms) and the aggregated value. */
export interface WindowEvent {
  readonly time: number;
  /** Null (or NaN) when the event has no value for the column. */
  readonly value: number | null;
}

export interface WindowSpec {
  readonly aggregate: Aggregate;
  /** Whether the feature aggregates a column (a plain `count` does not). */
  readonly hasColumn: boolean;
  readonly windowMs: number;
  /** Also count events at exactly the prediction time. */
  readonly inclusive: boolean;
}

/** The first instant inside the window ending at `t`. */
export const windowStart = (spec: WindowSpec, t: number): number => t - spec.windowMs;

/** Whether an event at `time` falls in the window ending at `t`: `t - window <= time < t` (`<= t` inclusive). */
export function inWindow(spec: WindowSpec, time: number, t: number): boolean {
  return time >= t - spec.windowMs && (time < t || (time === t && spec.inclusive));
}

/**
 * Combines the events in the window ending at `t` (events outside it are
 * skipped, in any order). Missing values are skipped, and with a column
 * `count` counts the events that have one. With no such event `count` and
 * `sum` are 0 and the others null. `last` is the latest event's value, the
 * largest value on a tie.
 *
 * @example
 * aggregateWindow({ aggregate: 'mean', hasColumn: true, windowMs: 3_600_000, inclusive: false },
 *   [{ time: 0, value: 4 }, { time: 60_000, value: 8 }], 120_000) // 6
 */
export function aggregateWindow(
  spec: WindowSpec,
  events: readonly WindowEvent[],
  t: number,
): number | null {
  let count = 0;
  let n = 0;
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let lastTime = Number.NEGATIVE_INFINITY;
  let last: number | null = null;
  for (const e of events) {
    if (!inWindow(spec, e.time, t)) continue;
    const v = e.value;
    const missing = v === null || Number.isNaN(v);
    if (!spec.hasColumn || !missing) count += 1;
    if (missing) continue;
    n += 1;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
    if (e.time > lastTime || (e.time === lastTime && last !== null && v > last)) {
      lastTime = e.time;
      last = v;
    }
  }
  switch (spec.aggregate) {
    case 'count':
      return count;
    case 'sum':
      return sum;
    case 'mean':
      return n === 0 ? null : sum / n;
    case 'min':
      return n === 0 ? null : min;
    case 'max':
      return n === 0 ? null : max;
    case 'last':
      return last;
  }
}
