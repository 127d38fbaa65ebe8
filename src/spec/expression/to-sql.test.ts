import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, test } from 'vitest';
import { parseExpression } from './parser.js';
import { sqlIdentifier, sqlString, toSql } from './to-sql.js';

const sql = (text: string): string => toSql(parseExpression(text));

describe('toSql', () => {
  test.each([
    ['delay > 15', '"delay" > 15::DOUBLE'],
    ['hour(date)', 'hour("date")'],
    ['day_of_week(date)', '(isodow("date") - 1)'],
    [
      'day_of_month(date) + month(date) + year(date) + minute(date)',
      '((dayofmonth("date") + month("date")) + year("date")) + minute("date")',
    ],
    ['distance / 100', '"distance" / 100::DOUBLE'],
    [
      "origin in ('ORD', 'ATL') and hour(date) >= 17",
      '("origin" IN (\'ORD\', \'ATL\')) AND (hour("date") >= 17::DOUBLE)',
    ],
    ['a = 1', '"a" = 1::DOUBLE'],
    ['a == 1', '"a" = 1::DOUBLE'],
    ['a != 1', '"a" <> 1::DOUBLE'],
    ['a <> 1', '"a" <> 1::DOUBLE'],
    ['a < 1 or a <= 2', '("a" < 1::DOUBLE) OR ("a" <= 2::DOUBLE)'],
    ['a > 1 && a >= 2', '("a" > 1::DOUBLE) AND ("a" >= 2::DOUBLE)'],
    ['not a', 'NOT "a"'],
    ['!(a = b)', 'NOT ("a" = "b")'],
    ['a + b * c', '"a" + ("b" * "c")'],
    ['(a + b) * c', '("a" + "b") * "c"'],
    ['a / b', '"a" / NULLIF("b", 0)'],
    ['a % b', '"a" % NULLIF("b", 0)'],
    ['a % 7', '"a" % 7::DOUBLE'],
    ['a / 0', '"a" / NULLIF(0::DOUBLE, 0)'],
    ['-a', '-"a"'],
    ['a - -b', '"a" - (-"b")'],
    ['- - a', '-(-"a")'],
    ['a -- b', '"a" - (-"b")'],
    ['0.1 + 2.5e-7 + 1e21', '(0.1::DOUBLE + 2.5e-7::DOUBLE) + 1e+21::DOUBLE'],
    ['true or false or null', '(TRUE OR FALSE) OR NULL'],
    ["x not in ('a', null)", '"x" NOT IN (\'a\', NULL)'],
    ['x between 1 and 2', '"x" BETWEEN 1::DOUBLE AND 2::DOUBLE'],
    ['x not between a - 1 and a + 1', '"x" NOT BETWEEN ("a" - 1::DOUBLE) AND ("a" + 1::DOUBLE)'],
    ['x is null', '"x" IS NULL'],
    ['x is not null', '"x" IS NOT NULL'],
    ['is_missing(x)', '("x" IS NULL)'],
    [
      'abs(x) + floor(x) + ceil(x) + round(x) + exp(x)',
      '(((abs("x") + floor("x")) + ceil("x")) + round("x")) + exp("x")',
    ],
    ['log(x)', 'try(ln("x"))'],
    ['sqrt(x)', 'try(sqrt("x"))'],
    ['min(a, b, 0)', 'least("a", "b", 0::DOUBLE)'],
    ['max(a)', 'greatest("a")'],
    ["coalesce(a, 'none')", 'coalesce("a", \'none\')'],
    ['if(a > 1, b, c)', '(CASE WHEN ("a" > 1::DOUBLE) THEN "b" ELSE "c" END)'],
    ['if(a > 1, b, c) + 1', '(CASE WHEN ("a" > 1::DOUBLE) THEN "b" ELSE "c" END) + 1::DOUBLE'],
    ['`weird name` > 1', '"weird name" > 1::DOUBLE'],
  ])('%s', (text, expected) => {
    expect(sql(text)).toBe(expected);
  });

  test('identifiers are double-quoted with embedded quotes doubled', () => {
    expect(sqlIdentifier('a"b')).toBe('"a""b"');
    expect(sql('`a"; DROP TABLE x; --` > 1')).toBe('"a""; DROP TABLE x; --" > 1::DOUBLE');
  });

  test('strings are single-quoted with embedded quotes doubled; backslashes are literal', () => {
    expect(sqlString("O'Hare")).toBe("'O''Hare'");
    expect(sql(`x = 'it\\'s'`)).toBe(`"x" = 'it''s'`);
    expect(sql(`x = "'); DROP TABLE t; --"`)).toBe(`"x" = '''); DROP TABLE t; --'`);
    expect(sql(`x = 'a\\\\b\\n'`)).toBe(`"x" = 'a\\b\n'`);
  });

  test('hostile names and strings stay data in real DuckDB', async () => {
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    const hostile = 'a"; DROP TABLE t; --';
    await connection.run(
      `CREATE TABLE t (${sqlIdentifier(hostile)} VARCHAR, "x" DOUBLE); INSERT INTO t VALUES ('''); DROP TABLE t; --', 1), ('b', 2)`,
    );
    const expr = `\`${hostile.replaceAll('`', '``')}\` = "'); DROP TABLE t; --" or x > 1`;
    const reader = await connection.runAndReadAll(`SELECT ${sql(expr)} AS v FROM t ORDER BY "x"`);
    expect(reader.getRowObjects().map((row) => row.v)).toEqual([true, true]);
    const count = await connection.runAndReadAll('SELECT count(*) AS n FROM t');
    expect(count.getRowObjects()[0]!.n).toBe(2n);
    connection.closeSync();
  });
});
