import { describe, expect, test } from 'vitest';
import { FlywheelError } from '../../errors.js';
import type { ColumnType } from './column.js';
import { parseExpression } from './parser.js';
import { referencedColumns } from './referenced-columns.js';
import { typeCheck } from './type-check.js';

const COLUMNS = new Map<string, ColumnType>([
  ['delay', 'numeric'],
  ['distance', 'numeric'],
  ['origin', 'categorical'],
  ['dest', 'categorical'],
  ['date', 'timestamp'],
  ['arrival', 'timestamp'],
  ['weird name', 'numeric'],
]);

const typeOf = (text: string): string => typeCheck(parseExpression(text), COLUMNS);

function invalid(text: string, columns = COLUMNS): FlywheelError {
  try {
    typeCheck(parseExpression(text), columns);
  } catch (err) {
    expect(err).toBeInstanceOf(FlywheelError);
    expect((err as FlywheelError).code).toBe('EXPRESSION_INVALID');
    return err as FlywheelError;
  }
  throw new Error(`expected ${JSON.stringify(text)} not to type-check`);
}

describe('typeCheck: result types', () => {
  test.each([
    ['delay > 15', 'boolean'],
    ['hour(date)', 'numeric'],
    ['day_of_week(date)', 'numeric'],
    ['distance / 100', 'numeric'],
    ["origin in ('ORD', 'ATL') and hour(date) >= 17", 'boolean'],
    ['origin', 'categorical'],
    ["'ORD'", 'categorical'],
    ['date', 'timestamp'],
    ['`weird name` * 2', 'numeric'],
    ['-delay', 'numeric'],
    ['not delay > 1', 'boolean'],
    ['origin = dest', 'boolean'],
    ["origin <> 'ORD'", 'boolean'],
    ['date < arrival', 'boolean'],
    ['date = arrival', 'boolean'],
    ['(delay > 1) = (distance > 2)', 'boolean'],
    ['true', 'boolean'],
    ['delay between 1 and distance', 'boolean'],
    ['date between arrival and arrival', 'boolean'],
    ['origin is null', 'boolean'],
    ['is_missing(date)', 'boolean'],
    ["origin in ('ORD', null)", 'boolean'],
    ['min(delay, distance, 0)', 'numeric'],
    ['max(date, arrival)', 'timestamp'],
    ["coalesce(origin, 'none')", 'categorical'],
    ['coalesce(date, arrival)', 'timestamp'],
    ['coalesce(delay > 1, false)', 'boolean'],
    ["if(delay > 15, 'late', origin)", 'categorical'],
    ['if(delay > 15, date, null)', 'timestamp'],
    ['if(delay > 15, null, 1)', 'numeric'],
    ['abs(log(exp(sqrt(floor(ceil(round(delay)))))))', 'numeric'],
    ['minute(date) + year(date) + month(date) + day_of_month(date)', 'numeric'],
  ])('%s → %s', (text, type) => {
    expect(typeOf(text)).toBe(type);
  });

  test('null fits wherever a value does', () => {
    expect(typeOf('null + 1')).toBe('numeric');
    expect(typeOf('hour(null)')).toBe('numeric');
    expect(typeOf('null = origin')).toBe('boolean');
    expect(typeOf('null and true')).toBe('boolean');
    expect(typeOf('coalesce(null, null, delay)')).toBe('numeric');
  });
});

describe('typeCheck: errors explain what is wrong and where', () => {
  test('unknown column: did you mean, and the valid names', () => {
    const err = invalid('dealy > 15');
    expect(err.message).toBe(
      'unknown column "dealy" at column 1 (did you mean "delay"?)\ndealy > 15\n^^^^^',
    );
    expect(err.hint).toBe('columns are: delay, distance, origin, dest, date, arrival, weird name');
    expect(err.details).toMatchObject({ name: 'dealy', position: 0, column: 1 });
    expect(err.details.validNames).toEqual([...COLUMNS.keys()]);
  });

  test('column names are case-sensitive, but the suggestion ignores case', () => {
    expect(invalid('Delay > 1').message.split('\n')[0]).toBe(
      'unknown column "Delay" at column 1 (did you mean "delay"?)',
    );
  });

  test('a function name without parentheses is explained', () => {
    expect(invalid('hour > 3').hint).toBe('hour is a function; call it as hour(timestamp)');
  });

  test('no columns at all', () => {
    expect(invalid('x', new Map()).hint).toBe('there are no columns');
  });

  test('prototype member names are not columns', () => {
    expect(invalid('constructor = 1').message).toContain('unknown column "constructor"');
    expect(invalid('__proto__ is null').message).toContain('unknown column "__proto__"');
  });

  test.each([
    // [expression, first line of the message, underlined text]
    [
      'origin > 5',
      "'>' needs numbers or timestamps, but `origin` is categorical at column 1",
      'origin',
    ],
    ["'b' < 'a'", "'<' needs numbers or timestamps, but `'b'` is categorical at column 1", "'b'"],
    [
      'origin = 5',
      'cannot compare `origin` (categorical) with `5` (numeric) at column 1',
      'origin = 5',
    ],
    [
      'hour(distance)',
      'hour() needs a timestamp, but `distance` is numeric at column 6',
      'distance',
    ],
    [
      'month(origin)',
      'month() needs a timestamp, but `origin` is categorical at column 7',
      'origin',
    ],
    ['distance + origin', "'+' needs numbers, but `origin` is categorical at column 12", 'origin'],
    ['date + 1', "'+' needs numbers, but `date` is a timestamp at column 1", 'date'],
    ['-date', "'-' needs a number, but `date` is a timestamp at column 2", 'date'],
    ['abs(origin)', 'abs() needs a number, but `origin` is categorical at column 5', 'origin'],
    [
      'delay and true',
      "'and' needs true/false conditions, but `delay` is numeric at column 1",
      'delay',
    ],
    [
      'true or origin',
      "'or' needs true/false conditions, but `origin` is categorical at column 9",
      'origin',
    ],
    [
      'not delay',
      "'not' needs a true/false condition, but `delay` is numeric at column 5",
      'delay',
    ],
    [
      'if(delay, 1, 2)',
      'if() needs a true/false condition first, but `delay` is numeric at column 4',
      'delay',
    ],
    [
      "if(delay > 1, 1, 'x')",
      "if() cannot mix `1` (numeric) with `'x'` (categorical) at column 18",
      "'x'",
    ],
    [
      "coalesce(delay, 'x')",
      "coalesce() cannot mix `delay` (numeric) with `'x'` (categorical) at column 17",
      "'x'",
    ],
    [
      'min(delay, date)',
      'min() cannot mix `delay` (numeric) with `date` (timestamp) at column 12',
      'date',
    ],
    [
      'max(origin)',
      'max() needs numbers or timestamps, but `origin` is categorical at column 5',
      'origin',
    ],
    [
      "origin in ('ORD', 1)",
      "cannot compare `origin` (categorical) with `1` (numeric) in the 'in' list at column 19",
      '1',
    ],
    [
      'delay in (1, date)',
      "cannot compare `delay` (numeric) with `date` (timestamp) in the 'in' list at column 14",
      'date',
    ],
    [
      "delay between 'a' and 'b'",
      "'between' needs numbers or timestamps, but `'a'` is categorical at column 15",
      "'a'",
    ],
    [
      'date between 1 and 2',
      'cannot compare `date` (timestamp) with `1` (numeric) at column 1',
      'date between 1 and 2',
    ],
    [
      '(delay > 1) > 0',
      "'>' needs numbers or timestamps, but `(delay > 1)` is a true/false condition at column 1",
      '(delay > 1)',
    ],
    [
      "date = '2024-01-01'",
      "cannot compare `date` (timestamp) with `'2024-01-01'` (categorical) at column 1",
      "date = '2024-01-01'",
    ],
    [
      'delay = true',
      'cannot compare `delay` (numeric) with `true` (boolean) at column 1',
      'delay = true',
    ],
    ['null', 'the expression is always missing (null) at column 1', 'null'],
    [
      'coalesce(null, null)',
      'the expression is always missing (null) at column 1',
      'coalesce(null, null)',
    ],
  ])('%s', (text, firstLine, underlined) => {
    const err = invalid(text);
    const [line, source, carets] = err.message.split('\n') as [string, string, string];
    expect(line).toBe(firstLine);
    expect(source).toBe(text);
    const start = carets.indexOf('^');
    expect(source.slice(start, carets.length)).toBe(underlined);
    expect(err.details.column).toBe(start + 1);
  });

  test.each([
    [
      'origin > 5',
      "categories have no order; compare them with =, != or in, e.g. origin in ('ORD', 'ATL')",
    ],
    ['origin = 5', "quote a category to compare with it, e.g. origin = 'ORD' or code = '5'"],
    ['hour(distance)', 'timestamp columns are: date, arrival'],
    [
      'date + 1',
      'take a part of the timestamp first: minute, hour, day_of_week, day_of_month, month or year, e.g. hour(date)',
    ],
    ['not delay', 'a condition compares values, e.g. delay > 15'],
    ['delay = true', 'turn a condition into a value with if(), e.g. if(delay > 15, 1, 0)'],
  ])('%s has a hint', (text, hint) => {
    expect(invalid(text).hint).toBe(hint);
  });

  test('the deepest error is reported first', () => {
    expect(invalid('hour(delay) > origin').message).toContain('hour() needs a timestamp');
  });

  test('deeply nested conditions are checked in linear time', () => {
    let text = 'delay > 0';
    for (let i = 0; i < 40; i++) text = `if(${text}, delay, distance) between 0 and 1`;
    expect(typeOf(text)).toBe('boolean');
  });
});

describe('referencedColumns', () => {
  test('distinct names in order of first appearance', () => {
    const expr = parseExpression(
      "if(delay > 15, distance, delay) > 0 and origin in (dest, 'x') and `weird name` is null",
    );
    expect(referencedColumns(expr)).toEqual(['delay', 'distance', 'origin', 'dest', 'weird name']);
  });

  test('none in a constant expression', () => {
    expect(referencedColumns(parseExpression('1 + 2'))).toEqual([]);
  });
});
