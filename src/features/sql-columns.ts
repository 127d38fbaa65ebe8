/**
 * What the point-in-time SQL needs to know about columns: their DuckDB types,
 * and the expressions that turn times into timestamps, values into doubles
 * and keys of two tables into one comparable type.
 */
import { FlywheelError } from '../errors.js';
import { didYouMean } from '../spec/index.js';
import { type SqlRunner, sqlIdent } from '../sql.js';

export interface ColumnInfo {
  readonly name: string;
  readonly type: string;
}

const NUMERIC =
  /^(BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/;
const TEXT = /^(VARCHAR|ENUM.*)$/;

/** Names and DuckDB types of a query's columns, without running it. */
export async function describeColumns(runner: SqlRunner, query: string): Promise<ColumnInfo[]> {
  const rows = await runner.rows(`DESCRIBE ${query}`);
  return rows.map((r) => ({ name: String(r['column_name']), type: String(r['column_type']) }));
}

/** The column called `name`, or a SCHEMA_MISSING_COLUMN error saying where it was expected. */
export function requireColumn(
  columns: readonly ColumnInfo[],
  name: string,
  where: string,
  table: string,
): ColumnInfo {
  const found = columns.find((c) => c.name === name);
  if (found) return found;
  const names = columns.map((c) => c.name);
  throw new FlywheelError(
    'SCHEMA_MISSING_COLUMN',
    `${where}: column "${name}" does not exist in ${table}${didYouMean(name, names)}; columns are: ${names.join(', ')}`,
  );
}

/**
 * SQL turning `ref` (of DuckDB `type`) into a TIMESTAMP in UTC, or undefined
 * when the type holds no time. Text is parsed; unparsable text becomes NULL.
 */
export function timestampSql(ref: string, type: string): string | undefined {
  if (type === 'TIMESTAMP') return ref;
  if (type === 'TIMESTAMP WITH TIME ZONE') return `timezone('UTC', ${ref})`;
  if (type === 'DATE' || type.startsWith('TIMESTAMP')) return `CAST(${ref} AS TIMESTAMP)`;
  if (TEXT.test(type)) {
    return `TRY_CAST(NULLIF(TRIM(CAST(${ref} AS VARCHAR)), '') AS TIMESTAMP)`;
  }
  return undefined;
}

export function isTextType(type: string): boolean {
  return TEXT.test(type);
}

/**
 * Checks that text times (`expression` over `from`, converted by
 * timestampSql) all parse, naming up to three that do not.
 */
export async function checkTextTimes(
  runner: SqlRunner,
  from: string,
  expression: string,
  converted: string,
  where: string,
): Promise<void> {
  const bad = await runner.rows(
    `SELECT CAST(${expression} AS VARCHAR) AS value, count(*) OVER () AS n FROM ${from} WHERE NULLIF(TRIM(CAST(${expression} AS VARCHAR)), '') IS NOT NULL AND ${converted} IS NULL LIMIT 3`,
  );
  if (bad.length === 0) return;
  throw new FlywheelError(
    'SCHEMA_TYPE_MISMATCH',
    `${where} holds ${String(bad[0]!['n'])} value(s) that are not timestamps, e.g. ${bad.map((r) => JSON.stringify(r['value'])).join(', ')}`,
    { hint: 'Times must be timestamps, dates or ISO 8601 text such as 2001-03-01 08:15:00.' },
  );
}

/** SQL turning a numeric `ref` into a DOUBLE, NaN into NULL; undefined for other types. */
export function doubleSql(ref: string, type: string): string | undefined {
  if (!NUMERIC.test(type)) return undefined;
  if (type !== 'DOUBLE' && type !== 'FLOAT') return `CAST(${ref} AS DOUBLE)`;
  return `(CASE WHEN isnan(${ref}) THEN NULL ELSE CAST(${ref} AS DOUBLE) END)`;
}

/**
 * SQL for two key columns that compare equal when they hold the same key:
 * unchanged when their types agree, doubles when both are numbers, text
 * otherwise.
 */
export function keyPairSql(
  rowKey: ColumnInfo,
  eventKey: ColumnInfo,
): { readonly row: string; readonly event: string } {
  const row = sqlIdent(rowKey.name);
  const event = sqlIdent(eventKey.name);
  if (rowKey.type === eventKey.type) return { row, event };
  const target = NUMERIC.test(rowKey.type) && NUMERIC.test(eventKey.type) ? 'DOUBLE' : 'VARCHAR';
  return { row: `CAST(${row} AS ${target})`, event: `CAST(${event} AS ${target})` };
}

/** The first line of a DuckDB error, without its "Binder Error: " prefix. */
export function duckMessage(err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  return (raw.split('\n')[0] ?? raw).replace(/^[A-Za-z ]+ Error: /, '');
}
