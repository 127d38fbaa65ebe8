import { describe, expect, test } from 'vitest';
import { FlywheelError } from '../../errors.js';
import type { ColumnData } from './column.js';
import { evaluate, evaluateColumn } from './evaluate.js';
import { parseExpression } from './parser.js';

const N = Number.NaN;

function numeric(...values: number[]): ColumnData {
  return { type: 'numeric', values: Float64Array.from(values) };
}

function categorical(dictionary: string[], ...codes: number[]): ColumnData {
  return { type: 'categorical', codes: Int32Array.from(codes), dictionary };
}

/** Kleene truth table inputs: every pair of true (1), false (0), missing (NaN). */
const P = [1, 1, 1, 0, 0, 0, N, N, N];
const Q = [1, 0, N, 1, 0, N, 1, 0, N];

const COLUMNS = new Map<string, ColumnData>([
  ['p', numeric(...P)],
  ['q', numeric(...Q)],
]);

function run(text: string, columns = COLUMNS, rowCount = 9): number[] {
  return [...evaluate(parseExpression(text), columns, rowCount)];
}

describe('evaluate: SQL three-valued logic', () => {
  test('and / or follow Kleene logic', () => {
    expect(run('p = 1 and q = 1')).toEqual([1, 0, N, 0, 0, 0, N, 0, N]);
    expect(run('p = 1 or q = 1')).toEqual([1, 1, 1, 1, 0, N, 1, N, N]);
    expect(run('p = 1 && q = 1')).toEqual(run('p = 1 and q = 1'));
    expect(run('p = 1 || q = 1')).toEqual(run('p = 1 or q = 1'));
  });

  test('not keeps missing missing', () => {
    expect(run('not p = 1')).toEqual([0, 0, 0, 1, 1, 1, N, N, N]);
    expect(run('!(p = 1)')).toEqual(run('not p = 1'));
  });

  test('comparisons with a missing side are missing', () => {
    expect(run('p < q')).toEqual([0, 0, N, 1, 0, N, N, N, N]);
    expect(run('p <= q')).toEqual([1, 0, N, 1, 1, N, N, N, N]);
    expect(run('p > q')).toEqual([0, 1, N, 0, 0, N, N, N, N]);
    expect(run('p >= q')).toEqual([1, 1, N, 0, 1, N, N, N, N]);
    expect(run('p = q')).toEqual([1, 0, N, 0, 1, N, N, N, N]);
    expect(run('p != q')).toEqual([0, 1, N, 1, 0, N, N, N, N]);
    expect(run('p = null')).toEqual([N, N, N, N, N, N, N, N, N]);
  });

  test('is null, is not null and is_missing are never missing', () => {
    expect(run('q is null')).toEqual([0, 0, 1, 0, 0, 1, 0, 0, 1]);
    expect(run('q is not null')).toEqual([1, 1, 0, 1, 1, 0, 1, 1, 0]);
    expect(run('is_missing(q)')).toEqual(run('q is null'));
  });

  test('boolean literals', () => {
    expect(run('true and p = 1')).toEqual([1, 1, 1, 0, 0, 0, N, N, N]);
    expect(run('false or p = 1')).toEqual([1, 1, 1, 0, 0, 0, N, N, N]);
  });
});

describe('evaluate: numbers', () => {
  const columns = new Map<string, ColumnData>([
    ['a', numeric(7, -7, 7.5, 0, N, 2.5, -2.5)],
    ['b', numeric(2, 3, 0, 0, 1, -0.5, N)],
  ]);
  const calc = (text: string) => run(text, columns, 7);

  test('arithmetic; division and remainder by zero are missing', () => {
    expect(calc('a + b')).toEqual([9, -4, 7.5, 0, N, 2, N]);
    expect(calc('a - b * 2')).toEqual([3, -13, 7.5, 0, N, 3.5, N]);
    expect(calc('a / b')).toEqual([3.5, -7 / 3, N, N, N, -5, N]);
    expect(calc('a % b')).toEqual([1, -1, N, N, N, 0, N]);
    expect(calc('-a')).toEqual([-7, 7, -7.5, -0, N, -2.5, 2.5]);
    expect(calc('a / 0')).toEqual([N, N, N, N, N, N, N]);
  });

  test('math functions; undefined results are missing', () => {
    expect(calc('abs(a)')).toEqual([7, 7, 7.5, 0, N, 2.5, 2.5]);
    expect(calc('round(a)')).toEqual([7, -7, 8, 0, N, 3, -3]);
    expect(calc('floor(a)')).toEqual([7, -7, 7, 0, N, 2, -3]);
    expect(calc('ceil(a)')).toEqual([7, -7, 8, 0, N, 3, -2]);
    expect(calc('sqrt(a)')).toEqual([Math.sqrt(7), N, Math.sqrt(7.5), 0, N, Math.sqrt(2.5), N]);
    expect(calc('log(a)')).toEqual([Math.log(7), N, Math.log(7.5), N, N, Math.log(2.5), N]);
    expect(calc('exp(b)')).toEqual([Math.exp(2), Math.exp(3), 1, 1, Math.E, Math.exp(-0.5), N]);
  });

  test('min and max skip missing values; coalesce takes the first present', () => {
    expect(calc('min(a, b)')).toEqual([2, -7, 0, 0, 1, -0.5, -2.5]);
    expect(calc('max(a, b, 5)')).toEqual([7, 5, 7.5, 5, 5, 5, 5]);
    expect(calc('min(a, null)')).toEqual([7, -7, 7.5, 0, N, 2.5, -2.5]);
    expect(calc('coalesce(a, b, -1)')).toEqual([7, -7, 7.5, 0, 1, 2.5, -2.5]);
    expect(calc('coalesce(null, b)')).toEqual([2, 3, 0, 0, 1, -0.5, N]);
  });

  test('if takes the else branch where the condition is false or missing', () => {
    expect(calc('if(a > b, 1, 0)')).toEqual([1, 0, 1, 0, 0, 1, 0]);
    expect(calc('if(a > b, a, null)')).toEqual([7, N, 7.5, N, N, 2.5, N]);
  });

  test('between is >= and <=, with Kleene and', () => {
    expect(calc('a between b and 7')).toEqual([1, 0, 0, 1, N, 1, N]);
    expect(calc('a not between b and 7')).toEqual([0, 1, 1, 0, N, 0, N]);
    // A missing bound is still decisive when the other one fails.
    expect(calc('a between null and 0')).toEqual([0, N, 0, N, N, 0, N]);
  });

  test('in is a chain of = with Kleene or', () => {
    expect(calc('a in (7, 0)')).toEqual([1, 0, 0, 1, N, 0, 0]);
    expect(calc('a in (7, null)')).toEqual([1, N, N, N, N, N, N]);
    expect(calc('a not in (7, 0)')).toEqual([0, 1, 1, 0, N, 1, 1]);
    expect(calc('a in (b, -7)')).toEqual([0, 1, 0, 1, N, 0, N]);
  });

  test('constants fill every row', () => {
    expect(calc('1 + 2')).toEqual([3, 3, 3, 3, 3, 3, 3]);
    expect(calc("'a' = 'a'")).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(calc('hour(null) + 1')).toEqual([N, N, N, N, N, N, N]);
  });

  test('zero rows', () => {
    expect(run('a + 1', new Map([['a', numeric()]]), 0)).toEqual([]);
    expect(run('1 + 1', new Map(), 0)).toEqual([]);
  });
});

describe('evaluate: categories compare through the dictionary', () => {
  const columns = new Map<string, ColumnData>([
    ['origin', categorical(['ORD', 'ATL', 'SFO'], 0, 1, 2, -1, 0)],
    // Another dictionary, in another order, listing ATL twice.
    ['dest', categorical(['ATL', 'JFK', 'ORD', 'ATL'], 0, 3, 1, 0, -1)],
  ]);
  const calc = (text: string) => run(text, columns, 5);

  test('equality with a literal', () => {
    expect(calc("origin = 'ORD'")).toEqual([1, 0, 0, N, 1]);
    expect(calc("origin != 'ORD'")).toEqual([0, 1, 1, N, 0]);
    expect(calc("'ORD' = origin")).toEqual([1, 0, 0, N, 1]);
  });

  test('a literal absent from the dictionary matches no row', () => {
    expect(calc("origin = 'LAX'")).toEqual([0, 0, 0, N, 0]);
    expect(calc("origin <> 'LAX'")).toEqual([1, 1, 1, N, 1]);
    expect(calc("origin = 'ord'")).toEqual([0, 0, 0, N, 0]);
  });

  test('in and not in', () => {
    expect(calc("origin in ('ORD', 'ATL')")).toEqual([1, 1, 0, N, 1]);
    expect(calc("origin not in ('ORD', 'LAX')")).toEqual([0, 1, 1, N, 0]);
    expect(calc("origin in ('LAX', null)")).toEqual([N, N, N, N, N]);
  });

  test('two columns with different dictionaries compare by string', () => {
    expect(calc('origin = dest')).toEqual([0, 1, 0, N, N]);
    expect(calc('origin <> dest')).toEqual([1, 0, 1, N, N]);
    expect(calc("dest = 'ATL'")).toEqual([1, 1, 0, 1, N]);
  });

  test('missing categories', () => {
    expect(calc('origin is null')).toEqual([0, 0, 0, 1, 0]);
    expect(calc('is_missing(dest)')).toEqual([0, 0, 0, 0, 1]);
    expect(calc('coalesce(origin, dest) = dest')).toEqual([0, 1, 0, 1, N]);
  });

  test('a categorical result needs evaluateColumn', () => {
    const expr = parseExpression('coalesce(origin, dest)');
    let error: unknown;
    try {
      evaluate(expr, columns, 5);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(FlywheelError);
    expect((error as FlywheelError).code).toBe('EXPRESSION_INVALID');
    expect((error as FlywheelError).message.split('\n')[0]).toBe(
      'evaluate() gives numbers, but this expression is categorical at column 1',
    );
  });
});

describe('evaluateColumn', () => {
  const origin = categorical(['ORD', 'ATL'], 0, -1, 1);
  const delay = numeric(20, 5, N);
  const date: ColumnData = {
    type: 'timestamp',
    values: Float64Array.from([Date.UTC(2024, 0, 1, 17), N, Date.UTC(2023, 11, 31, 23, 59)]),
  };
  const columns = new Map<string, ColumnData>([
    ['origin', origin],
    ['delay', delay],
    ['date', date],
  ]);
  const column = (text: string) => evaluateColumn(parseExpression(text), columns, 3);

  function strings(result: ColumnData): (string | null)[] {
    if (result.type !== 'categorical') throw new Error(`expected categories, got ${result.type}`);
    return [...result.codes].map((code) => (code < 0 ? null : result.dictionary[code]!));
  }

  test('categorical results: coalesce, if, literals, null', () => {
    expect(strings(column("coalesce(origin, 'other')"))).toEqual(['ORD', 'other', 'ATL']);
    expect(strings(column("if(delay > 15, 'late', origin)"))).toEqual(['late', null, 'ATL']);
    expect(strings(column('if(delay > 15, origin, null)'))).toEqual(['ORD', null, null]);
    expect(strings(column("'x'"))).toEqual(['x', 'x', 'x']);
    expect(strings(column("coalesce(null, 'x')"))).toEqual(['x', 'x', 'x']);
    expect(strings(column('if(false, origin, null)'))).toEqual([null, null, null]);
  });

  test('conditions are numeric 1/0; timestamps keep their type', () => {
    expect(column('delay > 15')).toEqual({ type: 'numeric', values: Float64Array.from([1, 0, N]) });
    expect(column('coalesce(date, date)').type).toBe('timestamp');
    expect(column('hour(date)')).toEqual({
      type: 'numeric',
      values: Float64Array.from([17, N, 23]),
    });
    expect(column('day_of_week(date)').type).toBe('numeric');
    expect([...evaluate(parseExpression('day_of_week(date)'), columns, 3)]).toEqual([0, N, 6]);
  });

  test('results never share memory with the inputs', () => {
    const copy = column('delay');
    if (copy.type === 'categorical') throw new Error('type');
    expect(copy.values).toEqual(delay.type === 'numeric' ? delay.values : undefined);
    copy.values[0] = 99;
    expect(delay.type !== 'categorical' && delay.values[0]).toBe(20);
    const codes = column('origin');
    if (codes.type !== 'categorical') throw new Error('type');
    codes.codes[0] = 1;
    expect(origin.type === 'categorical' && origin.codes[0]).toBe(0);
  });

  test('type errors and unknown columns are reported as by typeCheck', () => {
    expect(() => column('dealy > 1')).toThrow(/unknown column "dealy"/);
    expect(() => column('origin > 1')).toThrow(/needs numbers or timestamps/);
  });

  test('columns must have rowCount values', () => {
    expect(() => evaluate(parseExpression('delay'), columns, 4)).toThrow(
      'column delay has 3 values, expected 4',
    );
  });
});
