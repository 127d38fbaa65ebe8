/**
 * The offline point-in-time join: the rows plus one column per feature, each
 * aggregating the events of the row's key in the window before its
 * prediction time, with DuckDB window functions.
 *
 * Rows and events go into one relation, partitioned by key and ordered by
 * time in whole microseconds, and every feature is a window aggregate over
 * `RANGE BETWEEN <window> PRECEDING AND CURRENT ROW`, in which events count
 * and rows, whose values are NULL, do not. For the strict bound a row sorts
 * at `t - 1µs` with a window 1µs shorter, so its frame holds exactly the
 * events in [t - window, t): this keeps the cheap CURRENT ROW frame end
 * (an offset end such as `1 PRECEDING` is about three times slower in
 * DuckDB). Each row is one pass over its key's events, never a band join.
 */
import { FlywheelError } from '../errors.js';
import { type SqlRunner, sqlIdent, sqlString } from '../sql.js';
import { type PointInTimeArgs, type ResolvedFeature, resolveFeatures } from './resolve.js';
import { duckMessage } from './sql-columns.js';

/** A feature column added to the output. */
export interface PointInTimeColumn {
  readonly name: string;
  /** The definition's version (see featureVersion). */
  readonly version: string;
  /** The statement that computed it. */
  readonly sql: string;
}

export interface AddPointInTimeOptions {
  /** Create `output` as a table (the default: the windows run once) or as a view. */
  readonly materialize?: boolean;
}

const ROW = '__fw_row';
const BASE = '__fw_base';

/** Features over the same window share one window definition. */
const windowKey = (f: ResolvedFeature) => `${f.windowMicros}:${f.definition.inclusive === true}`;

/**
 * One window pass for the features sharing an event table and a key: rows
 * and events in one relation, one aggregate per feature, kept for the rows.
 */
function groupSql(features: readonly ResolvedFeature[], predictionTime: string): string {
  const { events, rowKey, eventKey, eventTime } = features[0]!;
  const values = [...new Set(features.flatMap((f) => (f.value === undefined ? [] : [f.value])))];
  const lastOf = new Set(
    features.flatMap((f) => (f.definition.aggregate === 'last' ? [f.value!] : [])),
  );
  const windows = [...new Map(features.map((f) => [windowKey(f), f])).values()];
  const valueColumn = (v: string) => `__fw_v${values.indexOf(v)}`;
  const lastColumn = (v: string) => `__fw_l${values.indexOf(v)}`;

  // Column by column: its name, its value on the rows' side and on the events' side.
  const columns: [string, string, string][] = [
    [ROW, ROW, 'NULL'],
    ['__fw_key', '__fw_key', '__fw_key'],
    ['__fw_time', '__fw_time', '__fw_time'],
    ['__fw_before', '__fw_time - 1', '__fw_time'],
    ['__fw_event', 'NULL::INTEGER', '1'],
  ];
  for (const v of values) {
    columns.push([valueColumn(v), 'NULL::DOUBLE', valueColumn(v)]);
    if (lastOf.has(v)) {
      const pair = `CASE WHEN ${valueColumn(v)} IS NULL THEN NULL ELSE {'t': __fw_time, 'v': ${valueColumn(v)}} END`;
      columns.push([lastColumn(v), 'NULL::STRUCT(t BIGINT, v DOUBLE)', pair]);
    }
  }
  const rows = `SELECT ${ROW}, ${rowKey} AS __fw_key, epoch_us(${predictionTime}) AS __fw_time FROM ${BASE}`;
  const eventValues = values.map((v) => `, ${v} AS ${valueColumn(v)}`).join('');
  const eventRows = `SELECT ${eventKey} AS __fw_key, epoch_us(${eventTime}) AS __fw_time${eventValues} FROM ${sqlIdent(events.view)}`;
  const known = 'WHERE __fw_key IS NOT NULL AND __fw_time IS NOT NULL';
  const union = [
    `SELECT ${columns.map(([name, row]) => `${row} AS ${name}`).join(', ')} FROM (${rows}) ${known}`,
    `SELECT ${columns.map(([, , event]) => event).join(', ')} FROM (${eventRows}) ${known}`,
  ].join('\n    UNION ALL\n    ');

  const windowDefs = windows.map((f, i) => {
    // Inclusive: rows sort at t, frame [t - window, t]. Strict: rows sort at
    // t - 1µs, frame [t - 1µs - (window - 1µs), t - 1µs] = [t - window, t).
    const inclusive = f.definition.inclusive === true;
    const order = inclusive ? '__fw_time' : '__fw_before';
    const preceding = inclusive ? f.windowMicros : f.windowMicros - 1;
    return `w${i} AS (PARTITION BY __fw_key ORDER BY ${order} RANGE BETWEEN ${preceding} PRECEDING AND CURRENT ROW)`;
  });
  const aggregates = features.map((f) => {
    const w = `w${windows.findIndex((other) => windowKey(other) === windowKey(f))}`;
    const aggregate = f.definition.aggregate;
    const call =
      aggregate === 'last'
        ? // the largest (time, value) pair: the latest event, the larger value on a tie
          `struct_extract(max(${lastColumn(f.value!)}) OVER ${w}, 'v')`
        : `${aggregate === 'mean' ? 'avg' : aggregate}(${f.value === undefined ? '__fw_event' : valueColumn(f.value)}) OVER ${w}`;
    return `${call} AS ${sqlIdent(f.name)}`;
  });
  return [
    `SELECT ${ROW}, ${aggregates.join(', ')}`,
    `  FROM (\n    ${union}\n  )`,
    `  WINDOW ${windowDefs.join(', ')}`,
    `  QUALIFY ${ROW} IS NOT NULL`,
  ].join('\n');
}

/** The full statement: the input numbered, one CTE per group, joined back in input order. */
function outputSql(
  input: string,
  features: readonly ResolvedFeature[],
  predictionTime: string,
): string {
  const groups = new Map<string, ResolvedFeature[]>();
  for (const f of features) {
    const key = `${f.events.name}\u0000${f.rowKey}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const grouped = [...groups.values()];
  const ctes = [
    `${BASE} AS MATERIALIZED (SELECT row_number() OVER () AS ${ROW}, * FROM ${sqlIdent(input)})`,
    ...grouped.map((g, i) => `__fw_g${i} AS (\n${groupSql(g, predictionTime)}\n)`),
  ];
  const columns = features.map((f) => {
    const ref = `__fw_g${grouped.findIndex((g) => g.includes(f))}.${sqlIdent(f.name)}`;
    const zeroWhenEmpty = f.definition.aggregate === 'count' || f.definition.aggregate === 'sum';
    return `CAST(${zeroWhenEmpty ? `coalesce(${ref}, 0)` : ref} AS DOUBLE) AS ${sqlIdent(f.name)}`;
  });
  const joins = grouped.map((_, i) => `LEFT JOIN __fw_g${i} USING (${ROW})`);
  return [
    `WITH ${ctes.join(',\n')}`,
    `SELECT ${BASE}.* EXCLUDE (${ROW}), ${columns.join(', ')}`,
    `FROM ${BASE} ${joins.join(' ')}`,
    `ORDER BY ${BASE}.${ROW}`,
  ].join('\n');
}

/** Drops a temporary table or view called `name`, whichever it is. */
async function dropTemp(runner: SqlRunner, name: string): Promise<void> {
  const found = await runner.rows(
    `SELECT 'TABLE' AS kind FROM duckdb_tables() WHERE temporary AND table_name = ${sqlString(name)} UNION ALL SELECT 'VIEW' FROM duckdb_views() WHERE temporary AND view_name = ${sqlString(name)}`,
  );
  for (const r of found) await runner.run(`DROP ${String(r['kind'])} ${sqlIdent(name)}`);
}

/**
 * Creates `output`: every row of `input`, in the same order, plus one DOUBLE
 * column per point-in-time feature. For a row with key k and prediction time
 * t a feature aggregates the events with key k and `t - window <= time < t`
 * (`<= t` when inclusive); see pointInTimeValue for the exact semantics.
 *
 * @example
 * const columns = await addPointInTimeFeatures(session, {
 *   input: 'fw_typed',
 *   output: 'fw_features',
 *   predictionTime: 'date',
 *   definitions: spec.features?.point_in_time,
 *   events: spec.events,
 * });
 * // columns[0] → { name: 'origin_delay_2h', version: '3f9c0e1a7b2d4c55', sql: 'WITH …' }
 */
export async function addPointInTimeFeatures(
  runner: SqlRunner,
  args: PointInTimeArgs,
  options: AddPointInTimeOptions = {},
): Promise<PointInTimeColumn[]> {
  const { columns, features, predictionTime } = await resolveFeatures(runner, args, args.input);
  for (const f of features) {
    if (columns.some((c) => c.name === f.name)) {
      throw new FlywheelError(
        'SPEC_INVALID',
        `features.point_in_time.${f.name}: the data already has a column called "${f.name}"; give the feature another name`,
      );
    }
  }
  const select =
    features.length === 0
      ? `SELECT * FROM ${sqlIdent(args.input)}`
      : outputSql(args.input, features, predictionTime);
  const kind = options.materialize === false ? 'VIEW' : 'TABLE';
  await dropTemp(runner, args.output);
  try {
    await runner.run(`CREATE TEMP ${kind} ${sqlIdent(args.output)} AS\n${select}`);
  } catch (err) {
    throw new FlywheelError(
      'DATA_UNREADABLE',
      `cannot compute the point-in-time features: ${duckMessage(err)}`,
      { cause: err },
    );
  }
  return features.map((f) => ({ name: f.name, version: f.version, sql: select }));
}
