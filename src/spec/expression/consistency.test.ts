/**
 * The same expressions through toSql in real DuckDB and through evaluate over
 * the same columns must give the same values (NULL ↔ NaN): the guarantee that
 * a feature computed at ingest equals one computed in memory.
 */

import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { childNodes, type ExpressionNode } from './ast.js';
import type { ColumnData, ColumnType } from './column.js';
import { evaluateColumn } from './evaluate.js';
import { FUNCTION_NAMES } from './functions.js';
import { parseExpression } from './parser.js';
import { sqlIdentifier, sqlString, toSql } from './to-sql.js';
import { typeCheck } from './type-check.js';

const HOSTILE = 'a"; DROP TABLE x; --';

type Cell = number | string | null;

interface TableColumn {
  readonly name: string;
  readonly type: ColumnType;
  readonly cells: readonly Cell[];
}

const t = (iso: string) => Date.parse(iso);

const HAND_WRITTEN: readonly TableColumn[] = [
  {
    name: 'delay',
    type: 'numeric',
    cells: [20, 5, null, -3.5, 0, 15, 16, null, 100.25, -0.5, 2.5, 1e6],
  },
  {
    name: 'distance',
    type: 'numeric',
    cells: [100, 0, 250, null, 1234.5, 0.5, -10, 80, null, 7, 2.5, 3],
  },
  {
    name: 'origin',
    type: 'categorical',
    cells: ['ORD', 'ATL', null, 'SFO', 'ORD', "O'Hare", 'ATL', null, 'ORD', 'é', '', 'JFK'],
  },
  {
    name: 'dest',
    type: 'categorical',
    cells: ['ATL', 'ATL', 'ORD', null, 'ORD', 'SFO', 'ATL', 'ORD', null, 'ORD', 'JFK', ''],
  },
  {
    name: 'date',
    type: 'timestamp',
    cells: [
      t('2024-01-01T17:30:00Z'),
      t('2024-02-29T23:59:59.999Z'),
      null,
      t('1969-12-31T23:00:00Z'),
      t('2023-12-31T00:00:00Z'),
      t('2000-06-15T06:05:04Z'),
      t('1900-03-01T12:00:00Z'),
      t('2024-07-07T17:00:00Z'),
      null,
      t('2031-11-30T08:45:00.250Z'),
      t('1970-01-01T00:00:00Z'),
      t('2024-01-07T16:59:59Z'),
    ],
  },
  {
    name: 'arrival',
    type: 'timestamp',
    cells: [
      t('2024-01-01T19:00:00Z'),
      null,
      t('2024-03-01T00:00:00Z'),
      t('1970-01-01T01:00:00Z'),
      t('2023-12-30T00:00:00Z'),
      t('2000-06-15T06:05:04Z'),
      null,
      t('2024-07-07T18:00:00Z'),
      t('2024-07-08T18:00:00Z'),
      t('2031-11-30T07:45:00Z'),
      t('1970-01-01T00:00:00Z'),
      t('2024-01-08T01:00:00Z'),
    ],
  },
  { name: 'weird name', type: 'numeric', cells: [1, null, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] },
  {
    name: HOSTILE,
    type: 'categorical',
    cells: ['x', 'y', null, 'x', "'; --", 'x', 'y', 'y', null, 'x', 'z', 'x'],
  },
];

/** The hand-written rows, then generated ones (a fixed seed, so failures reproduce). */
function buildTable(extraRows: number): TableColumn[] {
  let seed = 7;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  return HAND_WRITTEN.map((column) => {
    const cells = [...column.cells];
    for (let i = 0; i < extraRows; i++) {
      if (random() < 0.15) {
        cells.push(null);
      } else if (column.type === 'numeric') {
        cells.push(pick([0, 1, -1, 15, 16, 2.5]) + Math.round((random() - 0.5) * 4000) / 8);
      } else if (column.type === 'timestamp') {
        cells.push(Math.round((random() - 0.3) * 4e12));
      } else {
        cells.push(pick(['ORD', 'ATL', 'SFO', 'JFK', 'LAX', '']));
      }
    }
    return { ...column, cells };
  });
}

/** The columns as a Frame holds them; dictionaries deliberately in different orders. */
function toColumns(table: readonly TableColumn[]): Map<string, ColumnData> {
  const columns = new Map<string, ColumnData>();
  for (const { name, type, cells } of table) {
    if (type === 'categorical') {
      const present = [...new Set(cells.filter((c): c is string => c !== null))];
      const dictionary = name === 'dest' ? [...present.reverse(), 'UNUSED'] : present;
      const codes = Int32Array.from(cells, (c) =>
        c === null ? -1 : dictionary.indexOf(c as string),
      );
      columns.set(name, { type, codes, dictionary });
    } else {
      columns.set(name, {
        type,
        values: Float64Array.from(cells, (c) => (c === null ? Number.NaN : (c as number))),
      });
    }
  }
  return columns;
}

async function createTable(
  connection: DuckDBConnection,
  table: readonly TableColumn[],
): Promise<void> {
  const sqlType = { numeric: 'DOUBLE', categorical: 'VARCHAR', timestamp: 'TIMESTAMP' } as const;
  const definitions = table.map((c) => `${sqlIdentifier(c.name)} ${sqlType[c.type]}`).join(', ');
  await connection.run(`CREATE TABLE t (i INTEGER, ${definitions})`);
  const rowCount = table[0]!.cells.length;
  const rows: string[] = [];
  for (let i = 0; i < rowCount; i++) {
    const cells = table.map(({ type, cells }) => {
      const cell = cells[i]!;
      if (cell === null) return 'NULL';
      if (type === 'categorical') return sqlString(cell as string);
      return type === 'timestamp' ? `epoch_ms(${cell}::BIGINT)` : `${cell}::DOUBLE`;
    });
    rows.push(`(${i}, ${cells.join(', ')})`);
  }
  await connection.run(`INSERT INTO t VALUES ${rows.join(', ')}`);
}

const EXPRESSIONS = [
  // The spec's own examples.
  'delay > 15',
  'hour(date)',
  'day_of_week(date)',
  'month(date)',
  'distance / 100',
  "origin in ('ORD', 'ATL') and hour(date) >= 17",
  // Arithmetic, with zero divisors and unary minus.
  'delay + distance * 2 - 1',
  'delay / distance',
  'delay % distance',
  'delay % 3',
  'delay / 0',
  '-delay',
  '- -delay',
  'delay - -distance',
  '0.1 + 0.2 = 0.3',
  '2147483647 + 1',
  '65536 * 65536',
  // Comparisons and three-valued logic.
  'delay = distance',
  'delay != distance',
  'delay <> 15',
  'delay < distance',
  'delay <= 16',
  'delay >= distance',
  'delay > 15 and distance > 50',
  'delay > 15 or distance > 50',
  'delay > 15 && distance > 50 || origin = dest',
  'not delay > 15',
  '!(distance > 50 or delay > 15)',
  '(delay > 1) = (distance > 1)',
  'null = 1',
  'true and null',
  'false or null',
  // in, between, is null.
  'delay in (20, 0, -3.5)',
  'delay in (20, null)',
  'delay not in (20, null)',
  'delay between 0 and 20',
  'delay not between distance and 100',
  'delay between null and 10',
  'date between arrival and arrival',
  'delay is null',
  'origin is not null',
  'is_missing(date)',
  'is_missing(origin) or is_missing(delay)',
  // Categories.
  "origin = 'ORD'",
  "origin != 'ORD'",
  "origin = 'LAX'",
  "origin = 'O''Hare'",
  "origin = 'é' or origin = ''",
  'origin = dest',
  'origin <> dest',
  "origin in ('ORD', 'ATL')",
  "origin not in ('ORD', null)",
  "dest in (origin, 'JFK')",
  "coalesce(origin, dest, 'none')",
  "if(delay > 15, origin, 'on time')",
  "if(delay > 15, dest, null) = 'ORD'",
  "coalesce(origin, 'none') = coalesce(dest, 'none')",
  `\`${HOSTILE}\` = 'x'`,
  `\`${HOSTILE}\` in ('''; --', 'z')`,
  // Timestamps.
  'minute(date)',
  'hour(arrival)',
  'day_of_week(arrival)',
  'day_of_month(date)',
  'year(date)',
  'date < arrival',
  'date = arrival',
  'max(date, arrival)',
  'min(date, arrival)',
  'coalesce(arrival, date)',
  'if(delay > 0, date, null)',
  'hour(date) >= 17 and day_of_week(date) in (5, 6)',
  // Math functions, including undefined results.
  'abs(delay)',
  'log(distance)',
  'log(0)',
  'exp(distance / 1000)',
  'exp(delay)',
  'sqrt(delay)',
  'sqrt(-1)',
  'floor(delay / 3)',
  'ceil(delay / 3)',
  'round(delay)',
  'round(delay / 2)',
  'min(delay)',
  'min(delay, distance)',
  'max(delay, distance, 0)',
  'coalesce(delay, distance, 0)',
  'coalesce(null, delay)',
  'if(delay > 15, 1, 0)',
  'if(null, 1, 2)',
  'if(delay > distance, delay, distance)',
  '`weird name` * 2 + 1',
  'coalesce(`weird name`, -1) % 4',
];

describe('toSql in DuckDB agrees with evaluate', () => {
  const table = buildTable(300);
  const rowCount = table[0]!.cells.length;
  const columns = toColumns(table);
  const types = new Map(table.map((c) => [c.name, c.type]));
  let connection: DuckDBConnection;

  beforeAll(async () => {
    connection = await (await DuckDBInstance.create(':memory:')).connect();
    await createTable(connection, table);
  });

  afterAll(() => {
    connection.closeSync();
  });

  test.each(EXPRESSIONS)('%s', async (text) => {
    const expr = parseExpression(text);
    const type = typeCheck(expr, types);
    const sql = toSql(expr);
    const select =
      type === 'categorical'
        ? `CAST(${sql} AS VARCHAR)`
        : type === 'timestamp'
          ? `CAST(epoch_ms(${sql}) AS DOUBLE)`
          : `CAST(${sql} AS DOUBLE)`;
    const reader = await connection.runAndReadAll(`SELECT ${select} AS v FROM t ORDER BY i`);
    const fromSql = reader.getRowObjects().map((row) => row.v as number | string | null);

    const result = evaluateColumn(expr, columns, rowCount);
    const fromEvaluate: (number | string | null)[] =
      result.type === 'categorical'
        ? [...result.codes].map((code) => (code < 0 ? null : result.dictionary[code]!))
        : [...result.values];

    for (let i = 0; i < rowCount; i++) {
      if (!same(fromSql[i]!, fromEvaluate[i]!)) {
        throw new Error(
          `row ${i}: DuckDB gives ${fromSql[i]}, evaluate gives ${fromEvaluate[i]}\nSQL: ${sql}`,
        );
      }
    }
  });

  test('every function and every kind of node is covered', () => {
    const calls = new Set<string>();
    const kinds = new Set<string>();
    const visit = (node: ExpressionNode): void => {
      kinds.add(node.kind);
      if (node.kind === 'call') calls.add(node.name);
      childNodes(node).forEach(visit);
    };
    for (const text of EXPRESSIONS) visit(parseExpression(text).root);
    expect([...calls].sort()).toEqual([...FUNCTION_NAMES]);
    expect([...kinds].sort()).toEqual([
      'arithmetic',
      'between',
      'boolean',
      'call',
      'column',
      'comparison',
      'in',
      'is-null',
      'logical',
      'negate',
      'not',
      'null',
      'number',
      'string',
    ]);
  });
});

/** NULL and NaN are both missing; numbers may differ in the last bits of libm. */
function same(a: number | string | null, b: number | string | null): boolean {
  const missing = (v: number | string | null) => v === null || Number.isNaN(v);
  if (a === null || b === null || missing(a) || missing(b)) return missing(a) && missing(b);
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (a === b) return true;
  return Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a), Math.abs(b));
}
