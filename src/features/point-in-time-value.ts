/**
 * The definition of a point-in-time feature's value, in plain TypeScript:
 * the oracle the SQL is tested against, over the same window semantics
 * (`aggregateWindow`) the online store serves with.
 */
import type { PointInTimeDefinition } from './definition.js';
import { parseDuration } from './duration.js';
import { aggregateWindow, type WindowEvent, type WindowSpec } from './window-aggregate.js';

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
  const window: WindowEvent[] = [];
  if (key !== null && t !== null) {
    for (const e of events) {
      if (e.key === key && e.time !== null) window.push({ time: e.time, value: e.value });
    }
  }
  return aggregateWindow(windowSpec(def), window, t ?? 0);
}

/** The window a definition describes. */
export function windowSpec(def: PointInTimeDefinition): WindowSpec {
  return {
    aggregate: def.aggregate,
    hasColumn: def.column !== undefined,
    windowMs: parseDuration(def.window),
    inclusive: def.inclusive === true,
  };
}
