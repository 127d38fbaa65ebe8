/**
 * The definition of a point-in-time feature's value, in plain TypeScript:
 * the oracle the SQL is tested against, and the semantics the online store
 * will serve from the same definitions.
 */
import type { PointInTimeDefinition } from './definition.js';
import { parseDuration } from './duration.js';

/** An entity key as the SQL sees it: a string or a number. */
export type EventKey = string | number;

export interface PointInTimeEvent {
  readonly key: EventKey | null;
  /** When the event became known, in milliseconds since the epoch. */
  readonly time: number | null;
  /** The aggregated column's value; null (or NaN) when missing. */
  readonly value: number | null;
}

/**
 * The feature's value for the entity `key` at prediction time `t` (ms):
 * the aggregate over the events with that key and `t - window <= time < t`
 * (`<= t` when `inclusive`). Missing values are skipped, and with a `column`
 * `count` counts the events that have one. With no such event `count` and
 * `sum` are 0 and the others null; a null key or time matches no event.
 * `last` is the value of the latest event, the largest value on a tie.
 *
 * @example
 * const def = { events: 'e', key: 'origin', aggregate: 'sum', column: 'delay', window: '1h' } as const;
 * pointInTimeValue(def, [{ key: 'SFO', time: 0, value: 5 }], 'SFO', 60_000) // 5
 */
export function pointInTimeValue(
  def: PointInTimeDefinition,
  events: readonly PointInTimeEvent[],
  key: EventKey | null,
  t: number | null,
): number | null {
  const from = t === null ? 0 : t - parseDuration(def.window);
  const values: number[] = [];
  let count = 0;
  let latest: { time: number; value: number } | undefined;
  for (const e of events) {
    if (key === null || t === null || e.key !== key || e.time === null) continue;
    if (e.time < from || e.time > t || (e.time === t && def.inclusive !== true)) continue;
    const missing = e.value === null || Number.isNaN(e.value);
    if (def.column === undefined || !missing) count += 1;
    if (missing) continue;
    values.push(e.value!);
    if (!latest || e.time > latest.time || (e.time === latest.time && e.value! > latest.value)) {
      latest = { time: e.time, value: e.value! };
    }
  }
  switch (def.aggregate) {
    case 'count':
      return count;
    case 'sum':
      return values.reduce((s, v) => s + v, 0);
    case 'mean':
      return values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length;
    case 'min':
      return values.length === 0 ? null : values.reduce((a, b) => Math.min(a, b));
    case 'max':
      return values.length === 0 ? null : values.reduce((a, b) => Math.max(a, b));
    case 'last':
      return latest?.value ?? null;
  }
}
