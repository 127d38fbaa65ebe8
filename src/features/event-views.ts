/**
 * One DuckDB view per event table (`fw_events_<name>`), read from a source or
 * a query, with its key and time checked and its time as a UTC TIMESTAMP.
 */
import { FlywheelError } from '../errors.js';
import { didYouMean } from '../spec/index.js';
import { type SqlRunner, sqlIdent } from '../sql.js';
import type { EventTableDefinition } from './definition.js';
import {
  type ColumnInfo,
  checkTextTimes,
  describeColumns,
  duckMessage,
  isTextType,
  requireColumn,
  timestampSql,
} from './sql-columns.js';

export interface EventView {
  readonly name: string;
  /** The DuckDB view holding the events: `fw_events_<name>`. */
  readonly view: string;
  readonly definition: EventTableDefinition;
  /** The view's columns; the time column is a TIMESTAMP. */
  readonly columns: readonly ColumnInfo[];
}

/** The view an event table is read through. */
export function eventViewName(name: string): string {
  return `fw_events_${name}`;
}

async function relationNames(runner: SqlRunner): Promise<string[]> {
  const rows = await runner.rows(
    'SELECT view_name AS name FROM duckdb_views() WHERE NOT internal UNION SELECT table_name FROM duckdb_tables()',
  );
  return rows.map((r) => String(r['name']));
}

async function describeSource(
  runner: SqlRunner,
  name: string,
  def: EventTableDefinition,
): Promise<{ from: string; columns: ColumnInfo[] }> {
  const from = def.source === undefined ? `(${def.query})` : sqlIdent(def.source);
  try {
    return { from, columns: await describeColumns(runner, `SELECT * FROM ${from}`) };
  } catch (err) {
    if (def.source === undefined) {
      throw new FlywheelError(
        'SPEC_INVALID',
        `events.${name}.query is not valid SQL over the sources: ${duckMessage(err)}`,
        { cause: err },
      );
    }
    const known = await relationNames(runner);
    if (known.includes(def.source)) {
      throw new FlywheelError(
        'DATA_UNREADABLE',
        `events.${name}.source: cannot read "${def.source}": ${duckMessage(err)}`,
        { cause: err },
      );
    }
    throw new FlywheelError(
      'SPEC_INVALID',
      `events.${name}.source: no data source named "${def.source}"${didYouMean(def.source, known)}; sources are: ${known.join(', ')}`,
      { cause: err },
    );
  }
}

/**
 * Creates `fw_events_<name>` for each event table of the spec. A `source`
 * must already be registered as a view of that name (as `registerSources`
 * does); a `query` runs over the registered sources.
 *
 * @example
 * const views = await createEventViews(session, {
 *   events: { departures: { source: 'flights', key: 'origin', time: 'departed' } },
 * });
 * // SELECT count(*) FROM fw_events_departures
 */
export async function createEventViews(
  runner: SqlRunner,
  spec: { readonly events?: Readonly<Record<string, EventTableDefinition>> | undefined },
): Promise<EventView[]> {
  const views: EventView[] = [];
  for (const [name, def] of Object.entries(spec.events ?? {})) {
    const { from, columns } = await describeSource(runner, name, def);
    const table = def.source === undefined ? `the query of events.${name}` : `"${def.source}"`;
    requireColumn(columns, def.key, `events.${name}.key`, table);
    if (def.id !== undefined) requireColumn(columns, def.id, `events.${name}.id`, table);
    const time = requireColumn(columns, def.time, `events.${name}.time`, table);
    const converted = timestampSql(sqlIdent(time.name), time.type);
    if (converted === undefined) {
      throw new FlywheelError(
        'SCHEMA_TYPE_MISMATCH',
        `events.${name}.time: column "${time.name}" is ${time.type}, not a date or timestamp`,
      );
    }
    if (isTextType(time.type)) {
      const where = `events.${name}.time: column "${time.name}"`;
      await checkTextTimes(runner, from, sqlIdent(time.name), converted, where);
    }
    const view = eventViewName(name);
    const select =
      converted === sqlIdent(time.name)
        ? 'SELECT *'
        : `SELECT * REPLACE (${converted} AS ${sqlIdent(time.name)})`;
    // A table, not a view: the events are read once, however many times the
    // join, the audit and the checks scan them (a query with a window
    // function, such as an id by occurrence, is not recomputed per scan).
    await runner.run(`CREATE OR REPLACE TEMP TABLE ${sqlIdent(view)} AS ${select} FROM ${from}`);
    const typed = columns.map((c) => (c === time ? { name: c.name, type: 'TIMESTAMP' } : c));
    views.push({ name, view, definition: def, columns: typed });
  }
  return views;
}
