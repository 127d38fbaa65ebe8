/** Window semantics: bounds, every aggregate, missing values, ties, order, and the oracle. */
import { describe, expect, it } from 'vitest';
import { createRng } from '../random.js';
import type { PointInTimeDefinition } from './definition.js';
import { type PointInTimeEvent, pointInTimeValue } from './point-in-time-value.js';
import {
  type Aggregate,
  aggregateWindow,
  inWindow,
  type WindowEvent,
  type WindowSpec,
  windowStart,
} from './window-aggregate.js';

const MIN = 60_000;
const AGGREGATES: readonly Aggregate[] = ['count', 'sum', 'mean', 'min', 'max', 'last'];

const spec = (aggregate: Aggregate, extra: Partial<WindowSpec> = {}): WindowSpec => ({
  aggregate,
  hasColumn: aggregate !== 'count',
  windowMs: 10 * MIN,
  inclusive: false,
  ...extra,
});
const at = (minute: number, value: number | null): WindowEvent => ({ time: minute * MIN, value });

function shuffled<T>(items: readonly T[], rng: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('window bounds', () => {
  it('starts the window at t - window', () => {
    expect(windowStart(spec('sum'), 20 * MIN)).toBe(10 * MIN);
  });

  it('includes t - window and excludes t unless inclusive', () => {
    const s = spec('count');
    const t = 20 * MIN;
    expect(inWindow(s, 10 * MIN - 1, t)).toBe(false);
    expect(inWindow(s, 10 * MIN, t)).toBe(true);
    expect(inWindow(s, t - 1, t)).toBe(true);
    expect(inWindow(s, t, t)).toBe(false);
    expect(inWindow({ ...s, inclusive: true }, t, t)).toBe(true);
    expect(inWindow({ ...s, inclusive: true }, t + 1, t)).toBe(false);
    expect(inWindow({ ...s, inclusive: true }, 10 * MIN - 1, t)).toBe(false);
  });

  it('aggregates only the events inside the window', () => {
    const events = [at(9, 100), at(10, 1), at(15, 2), at(20, 50), at(21, 1000)];
    expect(aggregateWindow(spec('sum'), events, 20 * MIN)).toBe(3);
    expect(aggregateWindow(spec('sum', { inclusive: true }), events, 20 * MIN)).toBe(53);
    expect(aggregateWindow(spec('count'), events, 20 * MIN)).toBe(2);
  });
});

describe('aggregates', () => {
  const events = [at(11, 4), at(12, -2), at(13, 10), at(14, 6)];
  const t = 20 * MIN;

  it('computes each aggregate over the window', () => {
    const value = (a: Aggregate) => aggregateWindow(spec(a), events, t);
    expect(value('count')).toBe(4);
    expect(value('sum')).toBe(18);
    expect(value('mean')).toBe(4.5);
    expect(value('min')).toBe(-2);
    expect(value('max')).toBe(10);
    expect(value('last')).toBe(6);
  });

  it('gives 0 for count and sum and null for the others over an empty window', () => {
    for (const events of [[], [at(0, 5), at(25, 5)]]) {
      for (const a of AGGREGATES) {
        const expected = a === 'count' || a === 'sum' ? 0 : null;
        expect(aggregateWindow(spec(a), events, t), a).toBe(expected);
        expect(aggregateWindow(spec(a, { hasColumn: true }), events, t), a).toBe(expected);
      }
    }
  });
});

describe('missing values', () => {
  const t = 20 * MIN;
  const events = [at(11, 3), at(12, null), at(13, Number.NaN), at(14, 5)];

  it('skips null and NaN values', () => {
    expect(aggregateWindow(spec('sum'), events, t)).toBe(8);
    expect(aggregateWindow(spec('mean'), events, t)).toBe(4);
    expect(aggregateWindow(spec('min'), events, t)).toBe(3);
    expect(aggregateWindow(spec('max'), events, t)).toBe(5);
  });

  it('counts only events with a value when there is a column, every event without one', () => {
    expect(aggregateWindow(spec('count', { hasColumn: true }), events, t)).toBe(2);
    expect(aggregateWindow(spec('count', { hasColumn: false }), events, t)).toBe(4);
  });

  it('treats a window of missing values as empty', () => {
    const none = [at(11, null), at(12, Number.NaN)];
    expect(aggregateWindow(spec('count', { hasColumn: true }), none, t)).toBe(0);
    expect(aggregateWindow(spec('count', { hasColumn: false }), none, t)).toBe(2);
    expect(aggregateWindow(spec('sum'), none, t)).toBe(0);
    for (const a of ['mean', 'min', 'max', 'last'] as const) {
      expect(aggregateWindow(spec(a), none, t), a).toBeNull();
    }
  });

  it('takes the latest event with a value for last, skipping later missing ones', () => {
    expect(aggregateWindow(spec('last'), [at(11, 3), at(14, null), at(15, Number.NaN)], t)).toBe(3);
  });
});

describe('last', () => {
  const t = 20 * MIN;

  it('takes the latest event, whatever its value', () => {
    expect(aggregateWindow(spec('last'), [at(11, 100), at(15, 1), at(13, 50)], t)).toBe(1);
  });

  it('takes the largest value among the latest events, in either order', () => {
    expect(aggregateWindow(spec('last'), [at(15, 3), at(15, 7), at(15, 5)], t)).toBe(7);
    expect(aggregateWindow(spec('last'), [at(15, 7), at(15, 3)], t)).toBe(7);
    expect(aggregateWindow(spec('last'), [at(15, -4), at(15, -9), at(11, 100)], t)).toBe(-4);
  });
});

describe('order independence', () => {
  it('gives the same answer for every order of the events', () => {
    const rng = createRng(7);
    const events: WindowEvent[] = [];
    for (let i = 0; i < 40; i++) {
      const r = rng();
      const value = r < 0.1 ? null : r < 0.15 ? Number.NaN : Math.floor(rng() * 21) - 10;
      events.push(at(Math.floor(rng() * 30), value));
    }
    for (const inclusive of [false, true]) {
      for (const a of AGGREGATES) {
        const s = spec(a, { inclusive });
        const expected = aggregateWindow(s, events, 20 * MIN);
        for (let k = 0; k < 20; k++) {
          expect(aggregateWindow(s, shuffled(events, rng), 20 * MIN), a).toBe(expected);
        }
      }
    }
  });
});

/** The window semantics written out plainly, independent of aggregateWindow's single pass. */
function reference(
  def: PointInTimeDefinition,
  windowMs: number,
  events: readonly PointInTimeEvent[],
  key: string,
  t: number,
): number | null {
  const inside = events.filter(
    (e) =>
      e.key === key &&
      e.time !== null &&
      e.time >= t - windowMs &&
      (e.time < t || (def.inclusive === true && e.time === t)),
  );
  const present = inside.filter((e) => e.value !== null && !Number.isNaN(e.value));
  const values = present.map((e) => e.value as number);
  switch (def.aggregate) {
    case 'count':
      return def.column === undefined ? inside.length : present.length;
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'mean':
      return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
    case 'min':
      return values.length === 0 ? null : Math.min(...values);
    case 'max':
      return values.length === 0 ? null : Math.max(...values);
    case 'last': {
      const sorted = [...present].sort(
        (a, b) =>
          (b.time as number) - (a.time as number) || (b.value as number) - (a.value as number),
      );
      return sorted[0]?.value ?? null;
    }
  }
}

describe('agreement with pointInTimeValue', () => {
  it('matches the oracle and a plain reference on random cases', () => {
    const rng = createRng(20240601);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
    const keys = ['a', 'b', 'c'];
    for (let c = 0; c < 300; c++) {
      const windowMinutes = 1 + Math.floor(rng() * 12);
      const aggregate = pick(AGGREGATES);
      const withColumn = aggregate !== 'count' || rng() < 0.5;
      const def: PointInTimeDefinition = {
        events: 'e',
        key: 'k',
        aggregate,
        ...(withColumn ? { column: 'v' } : {}),
        window: `${windowMinutes}m`,
        inclusive: rng() < 0.5,
      };
      const events: PointInTimeEvent[] = Array.from({ length: Math.floor(rng() * 25) }, () => {
        const r = rng();
        return {
          key: rng() < 0.05 ? null : pick(keys),
          time: rng() < 0.05 ? null : Math.floor(rng() * 30) * MIN,
          value: r < 0.1 ? null : r < 0.15 ? Number.NaN : Math.floor(rng() * 41) - 20,
        };
      });
      const key = pick(keys);
      const t = Math.floor(rng() * 32) * MIN;
      const expected = reference(def, windowMinutes * MIN, events, key, t);
      expect(pointInTimeValue(def, events, key, t), `case ${c}`).toBe(expected);
      const own: WindowEvent[] = events
        .filter((e) => e.key === key && e.time !== null)
        .map((e) => ({ time: e.time as number, value: e.value }));
      const s: WindowSpec = {
        aggregate,
        hasColumn: withColumn,
        windowMs: windowMinutes * MIN,
        inclusive: def.inclusive === true,
      };
      expect(aggregateWindow(s, own, t), `case ${c}`).toBe(expected);
    }
  });
});
