/**
 * Checks point-in-time definitions against the data and the event tables and
 * resolves each into the SQL pieces the join and the audit share.
 */
import { FlywheelError } from '../errors.js';
import { didYouMean } from '../spec/index.js';
import { type SqlRunner, sqlIdent } from '../sql.js';
import {
  type EventTableDefinition,
  featureVersion,
  type PointInTimeDefinition,
} from './definition.js';
import { durationMicros } from './duration.js';
import { createEventViews, type EventView } from './event-views.js';
import {
  type ColumnInfo,
  checkTextTimes,
  describeColumns,
  doubleSql,
  duckMessage,
  isTextType,
  keyPairSql,
  requireColumn,
  timestampSql,
} from './sql-columns.js';

/** What `addPointInTimeFeatures` and `auditPointInTime` are given. */
export interface PointInTimeArgs {
  /** The view or table holding the rows. */
  readonly input: string;
  /** The table (or view) created: the input plus one DOUBLE column per feature. */
  readonly output: string;
  /** A column of the input, or SQL over it, giving each row's prediction time (the spec's event_time). */
  readonly predictionTime: string;
  readonly definitions: Readonly<Record<string, PointInTimeDefinition>> | undefined;
  readonly events: Readonly<Record<string, EventTableDefinition>> | undefined;
}

export interface ResolvedFeature {
  readonly name: string;
  readonly definition: PointInTimeDefinition;
  readonly version: string;
  readonly windowMicros: number;
  readonly events: EventView;
  /** The row's key, as SQL over the rows. */
  readonly rowKey: string;
  /** The event's key, as SQL over the event view (comparable with rowKey). */
  readonly eventKey: string;
  /** The event's time (a TIMESTAMP), as SQL over the event view. */
  readonly eventTime: string;
  /** The aggregated value as a DOUBLE, as SQL over the event view; undefined for a plain count. */
  readonly value: string | undefined;
}

export interface ResolvedFeatures {
  /** The columns of the rows' relation. */
  readonly columns: readonly ColumnInfo[];
  /** Each row's prediction time as a TIMESTAMP, as SQL over the rows. */
  readonly predictionTime: string;
  readonly features: readonly ResolvedFeature[];
}

async function resolvePredictionTime(
  runner: SqlRunner,
  relation: string,
  columns: readonly ColumnInfo[],
  predictionTime: string,
): Promise<string> {
  const isColumn = columns.some((c) => c.name === predictionTime);
  const expression = isColumn ? sqlIdent(predictionTime) : `(${predictionTime})`;
  let type: string;
  try {
    const described = await describeColumns(
      runner,
      `SELECT ${expression} AS t FROM ${sqlIdent(relation)}`,
    );
    type = described[0]!.type;
  } catch (err) {
    const names = columns.map((c) => c.name);
    throw new FlywheelError(
      'SCHEMA_MISSING_COLUMN',
      `prediction time: "${predictionTime}" is neither a column of ${relation} nor SQL over it${didYouMean(predictionTime, names)} (${duckMessage(err)}); columns are: ${names.join(', ')}`,
      { cause: err },
    );
  }
  const converted = timestampSql(expression, type);
  const where = `prediction time: "${predictionTime}"`;
  if (converted === undefined) {
    throw new FlywheelError('SCHEMA_TYPE_MISMATCH', `${where} is ${type}, not a date or timestamp`);
  }
  if (isTextType(type)) {
    await checkTextTimes(runner, sqlIdent(relation), expression, converted, where);
  }
  return converted;
}

function resolveFeature(
  name: string,
  def: PointInTimeDefinition,
  columns: readonly ColumnInfo[],
  relation: string,
  views: ReadonlyMap<string, EventView>,
  known: readonly string[],
): ResolvedFeature {
  const where = `features.point_in_time.${name}`;
  const events = views.get(def.events);
  if (!events) {
    throw new FlywheelError(
      'SPEC_INVALID',
      `${where}.events: there is no event table "${def.events}"${didYouMean(def.events, known)}; event tables are: ${known.length > 0 ? known.join(', ') : '(none: declare them under events)'}`,
    );
  }
  const windowMicros = durationMicros(def.window, `${where}.window`);
  const rowKey = requireColumn(columns, def.key, `${where}.key`, `the data (${relation})`);
  const eventKey = requireColumn(
    events.columns,
    events.definition.key,
    `events.${def.events}.key`,
    events.view,
  );
  const keys = keyPairSql(rowKey, eventKey);
  let value: string | undefined;
  if (def.column !== undefined) {
    const column = requireColumn(
      events.columns,
      def.column,
      `${where}.column`,
      `events.${def.events}`,
    );
    value = doubleSql(sqlIdent(column.name), column.type);
    if (value === undefined) {
      throw new FlywheelError(
        'SCHEMA_TYPE_MISMATCH',
        `${where}.column: column "${column.name}" of events.${def.events} is ${column.type}, not a number; ${def.aggregate} needs numbers`,
      );
    }
  } else if (def.aggregate !== 'count') {
    throw new FlywheelError(
      'SPEC_INVALID',
      `${where}.column: ${def.aggregate} needs a column to aggregate (only count does not)`,
    );
  }
  return {
    name,
    definition: def,
    version: featureVersion(def, events.definition),
    windowMicros,
    events,
    rowKey: keys.row,
    eventKey: keys.event,
    eventTime: sqlIdent(events.definition.time),
    value,
  };
}

/**
 * Creates the event views the definitions use and checks every definition
 * against `relation` (the rows) and its event table.
 */
export async function resolveFeatures(
  runner: SqlRunner,
  args: PointInTimeArgs,
  relation: string,
): Promise<ResolvedFeatures> {
  let columns: ColumnInfo[];
  try {
    columns = await describeColumns(runner, `SELECT * FROM ${sqlIdent(relation)}`);
  } catch (err) {
    throw new FlywheelError('INTERNAL', `cannot read ${relation}: ${duckMessage(err)}`, {
      cause: err,
    });
  }
  const definitions = Object.entries(args.definitions ?? {});
  const used = new Set(definitions.map(([, d]) => d.events));
  const declared = Object.entries(args.events ?? {}).filter(([n]) => used.has(n));
  const views = await createEventViews(runner, { events: Object.fromEntries(declared) });
  const byName = new Map(views.map((v) => [v.name, v]));
  const known = Object.keys(args.events ?? {});
  const features = definitions.map(([name, def]) =>
    resolveFeature(name, def, columns, relation, byName, known),
  );
  const predictionTime =
    features.length === 0
      ? 'NULL'
      : await resolvePredictionTime(runner, relation, columns, args.predictionTime);
  return { columns, predictionTime, features };
}
