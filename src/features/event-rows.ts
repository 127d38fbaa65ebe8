/**
 * Events read from DuckDB (a file of events, or an offline event table for
 * a backfill) as the JSON objects the online store ingests: the one reading
 * path behind `flywheel events ingest` and `flywheel features materialize`.
 * Keys and ids are read as text, times as epoch milliseconds, numeric
 * columns as numbers; a column of another type is passed through as text,
 * so the event check names the row and field it cannot use.
 */
import { FlywheelError } from '../errors.js';
import { type SqlRunner, sqlIdent } from '../sql.js';
import type { OnlineEventTable } from './online-definitions.js';
import { describeColumns, duckMessage, timestampSql } from './sql-columns.js';

const NUMERIC =
  /^(BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL|DECIMAL.*)$/;

/** Marks a text value that is not a number (the column's own value is then NULL). */
const BAD = '__fw_bad__';

/** One page of events: raw objects for `parseEvents`, and the 0-based position of the first. */
export interface EventPage {
  readonly offset: number;
  readonly events: readonly Record<string, unknown>[];
}

/**
 * Creates the temp table `into` holding the events of `relation` (a table,
 * view or `read_…(…)` call) that `table` needs, numbered in time order, and
 * returns how many there are.
 *
 * @example
 * const n = await stageEvents(session, "read_parquet('departures.parquet')", table, 'fw_stage', 'departures.parquet');
 */
export async function stageEvents(
  runner: SqlRunner,
  relation: string,
  table: OnlineEventTable,
  into: string,
  shown: string,
  options: {
    /** SQL over the time column as a TIMESTAMP, e.g. `t >= TIMESTAMP '2001-03-01'`. */
    readonly where?: (time: string) => string;
    /** Leave out events with no key or time, as the offline join does. */
    readonly skipIncomplete?: boolean;
  } = {},
): Promise<number> {
  let columns: { name: string; type: string }[];
  try {
    columns = await describeColumns(runner, `SELECT * FROM ${relation}`);
  } catch (err) {
    throw new FlywheelError(
      'DATA_UNREADABLE',
      `${shown}: cannot read the events: ${duckMessage(err)}`,
      {
        cause: err,
      },
    );
  }
  const typeOf = (name: string, role: string) => {
    const found = columns.find((c) => c.name === name);
    if (found === undefined) {
      throw new FlywheelError(
        'SCHEMA_MISSING_COLUMN',
        `${shown}: no column "${name}" (the ${role} of event table "${table.name}"); columns are: ${columns.map((c) => c.name).join(', ')}`,
      );
    }
    return found.type;
  };
  const selects: string[] = [];
  typeOf(table.key, 'key');
  selects.push(`CAST(${sqlIdent(table.key)} AS VARCHAR) AS ${sqlIdent(table.key)}`);
  const timeType = typeOf(table.time, 'time');
  const asTimestamp = timestampSql(sqlIdent(table.time), timeType);
  const timeText = /^(VARCHAR|TEXT|STRING)/.test(timeType);
  if (asTimestamp === undefined || timeText) {
    // Text times are checked row by row (ISO-8601); other types cannot be times.
    selects.push(`CAST(${sqlIdent(table.time)} AS VARCHAR) AS ${sqlIdent(table.time)}`);
  } else {
    selects.push(`CAST(epoch_ms(${asTimestamp}) AS DOUBLE) AS ${sqlIdent(table.time)}`);
  }
  if (table.id !== undefined) {
    typeOf(table.id, 'id');
    selects.push(`CAST(${sqlIdent(table.id)} AS VARCHAR) AS ${sqlIdent(table.id)}`);
  }
  for (const column of table.columns) {
    const type = typeOf(column, 'aggregated column');
    selects.push(
      NUMERIC.test(type)
        ? // NaN and infinities are missing values, as the offline join reads them.
          `CASE WHEN isfinite(CAST(${sqlIdent(column)} AS DOUBLE)) THEN CAST(${sqlIdent(column)} AS DOUBLE) END AS ${sqlIdent(column)}`
        : // Text: numbers in it are read as numbers; anything else is flagged for the event check.
          `TRY_CAST(${sqlIdent(column)} AS DOUBLE) AS ${sqlIdent(column)}, (${sqlIdent(column)} IS NOT NULL AND TRIM(CAST(${sqlIdent(column)} AS VARCHAR)) <> '' AND TRY_CAST(${sqlIdent(column)} AS DOUBLE) IS NULL) AS ${sqlIdent(BAD + column)}`,
    );
  }
  const conditions: string[] = [];
  if (options.where !== undefined && asTimestamp !== undefined) {
    conditions.push(options.where(asTimestamp));
  }
  if (options.skipIncomplete === true) {
    conditions.push(`${sqlIdent(table.key)} IS NOT NULL`);
    if (asTimestamp !== undefined) conditions.push(`${asTimestamp} IS NOT NULL`);
  }
  const filter = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
  const order = asTimestamp === undefined ? '' : `ORDER BY ${asTimestamp}`;
  try {
    await runner.run(
      `CREATE OR REPLACE TEMP TABLE ${sqlIdent(into)} AS SELECT row_number() OVER (${order}) - 1 AS __fw_row, ${selects.join(', ')} FROM ${relation} ${filter}`,
    );
    const [count] = await runner.rows(`SELECT count(*) AS n FROM ${sqlIdent(into)}`);
    return Number(count?.['n'] ?? 0);
  } catch (err) {
    throw new FlywheelError(
      'DATA_UNREADABLE',
      `${shown}: cannot read the events: ${duckMessage(err)}`,
      {
        cause: err,
      },
    );
  }
}

/** Pages of a staged event table, in order. */
export async function* eventPages(
  runner: SqlRunner,
  staged: string,
  pageSize: number,
): AsyncGenerator<EventPage> {
  for (let offset = 0; ; offset += pageSize) {
    const rows = await runner.rows(
      `SELECT * EXCLUDE (__fw_row) FROM ${sqlIdent(staged)} WHERE __fw_row >= ${offset} AND __fw_row < ${offset + pageSize} ORDER BY __fw_row`,
    );
    if (rows.length === 0) return;
    for (const row of rows) {
      for (const key of Object.keys(row)) {
        if (!key.startsWith(BAD)) continue;
        // Not a number: the event check names the row and field (never the value).
        if (row[key] === true) row[key.slice(BAD.length)] = 'not a number';
        delete row[key];
      }
    }
    yield { offset, events: rows };
  }
}
