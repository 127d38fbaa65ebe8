/**
 * Turns a spec and its sources into the DuckDB view `fw_dataset`: one column
 * per feature (converted to its kind), `__target`, `__split`, `__event_time`
 * and `__entity`. Everything downstream (describe, check, loading a Frame)
 * reads that view, so they all see the same rows, target and split.
 */
import { FlywheelError } from '../errors.js';
import { addPointInTimeFeatures, type PointInTimeArgs } from '../features/index.js';
import { createGovernedView, type GovernanceApplied } from '../governance/index.js';
import {
  didYouMean,
  type LoadedSpec,
  parseExpression,
  type Spec,
  toSql,
  typeCheck,
} from '../spec/index.js';
import { convertSql, inferColumnType } from './column-types.js';
import { type DuckSession, sqlIdent } from './duck.js';
import type { ColumnType } from './frame.js';
import { registerSources, type SourceReport } from './sources.js';
import { MIXER_MACROS, SPLITS, type SplitName, splitSql } from './split.js';

export interface FeatureDef {
  readonly name: string;
  readonly type: ColumnType;
  /** SQL over `fw_typed` (the input with declared types applied) producing the feature. */
  readonly sql: string;
  /** Derived from an expression rather than read from a column. */
  readonly derived: boolean;
}

export type TargetKind = 'binary' | 'numeric' | 'categorical';

export interface SplitStats {
  readonly split: SplitName;
  readonly rows: number;
  readonly labelled: number;
  /** Binary: rows with a positive label. */
  readonly positives: number;
}

export interface PreparedDataset {
  readonly spec: Spec;
  /** Input columns: `sourceType` is the canonical type after conversion, `originalType` the file's. */
  readonly inputColumns: readonly {
    name: string;
    sourceType: string;
    originalType: string;
    type: ColumnType | undefined;
  }[];
  readonly features: readonly FeatureDef[];
  readonly targetKind: TargetKind;
  readonly sources: readonly SourceReport[];
  readonly rows: number;
  /** Rows that fall in no split (outside every time window). */
  readonly unassigned: number;
  readonly splits: readonly SplitStats[];
  /** Multiclass: the classes, in order. */
  readonly classes?: readonly string[];
  /** What governance removed (columns dropped or hashed, rows left out); undefined when read from a snapshot. */
  readonly governance?: GovernanceApplied;
  /** Point-in-time features and their definition versions. */
  readonly pointInTime?: readonly { name: string; version: string }[];
  /** How the point-in-time features were joined (for the leakage audit); undefined when read from a snapshot. */
  readonly pointInTimeArgs?: PointInTimeArgs;
}

/**
 * Rows, labelled rows and positives (binary) per split of `fw_dataset`, and
 * the rows in no split.
 *
 * @example
 * const { splits, unassigned } = await splitStats(session, 'binary');
 */
export async function splitStats(
  session: DuckSession,
  targetKind: TargetKind,
): Promise<{ splits: SplitStats[]; unassigned: number; unassignedLabelled: number }> {
  const stats = await session.rows(
    `SELECT __split AS split, count(*) AS n, count(__target) AS labelled, ${targetKind === 'binary' ? 'coalesce(sum(__target), 0)' : '0'} AS positives FROM fw_dataset GROUP BY ALL`,
  );
  const splits = SPLITS.map((split): SplitStats => {
    const r = stats.find((s) => s['split'] === split);
    return {
      split,
      rows: Number(r?.['n'] ?? 0),
      labelled: Number(r?.['labelled'] ?? 0),
      positives: Number(r?.['positives'] ?? 0),
    };
  });
  const none = stats.find((s) => s['split'] === null);
  return {
    splits,
    unassigned: Number(none?.['n'] ?? 0),
    unassignedLabelled: Number(none?.['labelled'] ?? 0),
  };
}

export interface PrepareOptions {
  /** The instant retention counts back from (default: now). */
  readonly now?: Date;
}

const RESERVED = new Set(['__target', '__split', '__event_time', '__entity', '__row']);

function missingColumn(what: string, name: string, available: string[]): FlywheelError {
  return new FlywheelError(
    what === 'target.column' ? 'TARGET_INVALID' : 'SCHEMA_MISSING_COLUMN',
    `${what}: column "${name}" does not exist in the data${didYouMean(name, available)}; columns are: ${available.join(', ')}`,
  );
}

/**
 * Registers the sources and builds `fw_dataset`, checking the target, the
 * declared types and the split on the way.
 *
 * @example
 * const session = await DuckSession.open();
 * const ds = await prepareDataset(session, loadSpec('.'));
 * console.log(ds.rows, ds.splits);
 */
export async function prepareDataset(
  session: DuckSession,
  loaded: LoadedSpec,
  options: PrepareOptions = {},
): Promise<PreparedDataset> {
  const { spec } = loaded;
  const sources = await registerSources(session, spec, loaded.dir);
  for (const macro of MIXER_MACROS) await session.run(macro);

  const counted = await session.rows('SELECT count(*) AS n FROM fw_input');
  if (Number(counted[0]?.['n'] ?? 0) === 0) {
    throw new FlywheelError(
      'DATA_EMPTY',
      `the data has 0 rows (sources: ${sources.map((s) => s.path).join(', ')})`,
    );
  }
  // Governance comes first: dropped columns, hashed values and rows without
  // consent or past retention never reach anything below this line.
  const governed = await createGovernedView(session, {
    input: 'fw_input',
    output: 'fw_governed',
    columns: await session.describe('SELECT * FROM fw_input'),
    governance: spec.governance,
    ...(spec.event_time === undefined ? {} : { eventTime: spec.event_time }),
    now: options.now ?? new Date(),
  });
  if (governed.counts.kept === 0) {
    throw new FlywheelError(
      'DATA_EMPTY',
      `governance left no rows: of ${governed.counts.total}, ${governed.counts.withoutConsent} lack consent and ${governed.counts.pastRetention} are past retention`,
    );
  }
  const governance: GovernanceApplied = {
    dropped: governed.dropped,
    hashed: governed.hashed,
    retentionCutoff: governed.retentionCutoff,
    counts: governed.counts,
  };
  const described = await session.describe('SELECT * FROM fw_governed');
  const overrides = spec.data.schema ?? {};
  const available = described.map((c) => c.name);
  for (const name of Object.keys(overrides)) {
    if (!available.includes(name)) throw missingColumn(`data.schema.${name}`, name, available);
  }
  const declared = described.map((c) => ({
    name: c.name,
    sourceType: c.type,
    type: overrides[c.name] ?? inferColumnType(c.type),
  }));
  await checkDeclaredTypes(
    session,
    declared.filter((c) => overrides[c.name] !== undefined),
  );
  // Every usable column is converted once to its kind's canonical type (DOUBLE
  // without NaN, VARCHAR, TIMESTAMP in UTC), so features, expressions and the
  // target all see the same values as a model will.
  const replaced = declared
    .filter((c) => c.type !== undefined)
    .map((c) => `${convertSql(c.name, c.sourceType, c.type!)} AS ${sqlIdent(c.name)}`);
  await session.run(
    `CREATE OR REPLACE TEMP VIEW fw_typed AS SELECT * ${replaced.length > 0 ? `REPLACE (${replaced.join(', ')})` : ''} FROM fw_governed`,
  );
  const KIND_TYPE = { numeric: 'DOUBLE', categorical: 'VARCHAR', timestamp: 'TIMESTAMP' } as const;
  const inputColumns = declared.map((c) =>
    c.type !== undefined
      ? { ...c, sourceType: KIND_TYPE[c.type], originalType: c.sourceType }
      : { ...c, originalType: c.sourceType },
  );
  const byName = new Map(inputColumns.map((c) => [c.name, c]));
  const require = (what: string, name: string) => {
    const column = byName.get(name);
    if (!column) throw missingColumn(what, name, available);
    return column;
  };

  const target = require('target.column', spec.target.column);
  const eventTime =
    spec.event_time === undefined ? undefined : require('event_time', spec.event_time);
  if (eventTime && eventTime.type !== 'timestamp') {
    throw new FlywheelError(
      'SCHEMA_TYPE_MISMATCH',
      `event_time: column "${eventTime.name}" is ${eventTime.sourceType}, not a date or timestamp`,
      {
        hint: `Declare it in data.schema (${eventTime.name}: timestamp) if it holds ISO dates as text.`,
      },
    );
  }
  const entity = spec.entity === undefined ? undefined : require('entity', spec.entity);

  const types = new Map<string, ColumnType>();
  for (const c of inputColumns) if (c.type) types.set(c.name, c.type);
  const pit = await joinPointInTime(session, spec, eventTime?.name);
  for (const f of pit.columns) types.set(f.name, 'numeric');
  const features = selectFeatures(spec, inputColumns, types, require, pit.columns);
  const { sql: targetSql, kind: targetKind } = targetExpression(spec, target, types);

  const eventSql = eventTime
    ? convertSql(eventTime.name, eventTime.sourceType, 'timestamp')
    : undefined;
  const rowKey = entity ? `hash(${sqlIdent(entity.name)}) % 2147483648` : '__row';
  const select = [
    ...features.map((f) => `${f.sql} AS ${sqlIdent(f.name)}`),
    `${targetSql} AS __target`,
    `${splitSql(spec.split, eventSql, rowKey)} AS __split`,
    `${eventSql ?? 'CAST(NULL AS TIMESTAMP)'} AS __event_time`,
    `${entity ? `CAST(${sqlIdent(entity.name)} AS VARCHAR)` : 'CAST(NULL AS VARCHAR)'} AS __entity`,
  ];
  try {
    await session.run(
      `CREATE OR REPLACE TEMP VIEW fw_dataset AS SELECT ${select.join(', ')} FROM (SELECT *, row_number() OVER () - 1 AS __row FROM ${pit.view})`,
    );
  } catch (err) {
    throw new FlywheelError(
      'DATA_UNREADABLE',
      `cannot build the dataset: ${(err as Error).message.split('\n')[0]}`,
      { cause: err },
    );
  }

  const { splits, unassigned, unassignedLabelled } = await splitStats(session, targetKind);
  const rows = splits.reduce((s, p) => s + p.rows, 0) + unassigned;
  if (rows === 0) throw new FlywheelError('DATA_EMPTY', 'the data has 0 rows');
  if (spec.data.max_rows !== undefined && rows > spec.data.max_rows) {
    throw new FlywheelError(
      'DATA_TOO_LARGE',
      `the data has ${rows} rows, which exceeds max_rows (${spec.data.max_rows})`,
    );
  }
  const labelled = splits.reduce((s, p) => s + p.labelled, 0) + unassignedLabelled;
  if (labelled === 0) {
    throw new FlywheelError(
      'TARGET_INVALID',
      `target.column "${target.name}": every one of the ${rows} rows has a missing target`,
    );
  }
  await checkSplits(session, spec, splits);
  const classes = await checkTargetClasses(session, spec, targetKind, splits);
  return {
    spec,
    inputColumns,
    features,
    targetKind,
    sources,
    rows,
    unassigned,
    splits,
    ...(classes ? { classes } : {}),
    governance,
    pointInTime: pit.columns.map((c) => ({ name: c.name, version: c.version })),
    ...(pit.args ? { pointInTimeArgs: pit.args } : {}),
  };
}

/** Adds the spec's point-in-time features to `fw_typed` as `fw_enriched`. */
async function joinPointInTime(
  session: DuckSession,
  spec: Spec,
  eventTime: string | undefined,
): Promise<{
  view: string;
  columns: readonly { name: string; version: string }[];
  args?: PointInTimeArgs;
}> {
  const definitions = spec.features?.point_in_time;
  if (definitions === undefined || Object.keys(definitions).length === 0) {
    return { view: 'fw_typed', columns: [] };
  }
  if (eventTime === undefined) {
    throw new FlywheelError(
      'SPEC_INVALID',
      'features.point_in_time needs event_time: each row is joined as of its event time',
    );
  }
  const args: PointInTimeArgs = {
    input: 'fw_typed',
    output: 'fw_enriched',
    predictionTime: sqlIdent(eventTime),
    definitions,
    events: spec.events,
  };
  const columns = await addPointInTimeFeatures(session, args);
  return { view: 'fw_enriched', columns, args };
}

async function checkDeclaredTypes(
  session: DuckSession,
  declared: { name: string; sourceType: string; type: ColumnType | undefined }[],
): Promise<void> {
  for (const c of declared) {
    if (
      c.type === undefined ||
      c.type === 'categorical' ||
      inferColumnType(c.sourceType) === c.type
    )
      continue;
    const ref = sqlIdent(c.name);
    const converted = convertSql(c.name, c.sourceType, c.type);
    const bad = await session.rows(
      `SELECT row_number() OVER () AS row, CAST(${ref} AS VARCHAR) AS value FROM fw_governed QUALIFY NULLIF(TRIM(CAST(${ref} AS VARCHAR)), '') IS NOT NULL AND ${converted} IS NULL LIMIT 3`,
    );
    if (bad.length > 0) {
      const examples = bad
        .map((b) => `row ${String(b['row'])}: ${JSON.stringify(String(b['value']).slice(0, 40))}`)
        .join(', ');
      throw new FlywheelError(
        'SCHEMA_TYPE_MISMATCH',
        `data.schema.${c.name}: column "${c.name}" is declared ${c.type} but holds values that are not (${examples})`,
      );
    }
  }
}

function selectFeatures(
  spec: Spec,
  inputColumns: readonly { name: string; sourceType: string; type: ColumnType | undefined }[],
  types: Map<string, ColumnType>,
  require: (
    what: string,
    name: string,
  ) => { name: string; sourceType: string; type: ColumnType | undefined },
  pointInTime: readonly { name: string }[],
): FeatureDef[] {
  const excluded = new Set([...(spec.features?.exclude ?? []), spec.target.column]);
  if (spec.event_time !== undefined) excluded.add(spec.event_time);
  if (spec.entity !== undefined) excluded.add(spec.entity);
  const include = spec.features?.include;
  const chosen = include
    ? include.map((name, i) => require(`features.include[${i}]`, name))
    : inputColumns.filter((c) => c.type !== undefined && !c.name.startsWith('__'));
  const features: FeatureDef[] = [];
  for (const c of chosen) {
    if (excluded.has(c.name)) continue;
    if (c.type === undefined) {
      throw new FlywheelError(
        'SCHEMA_TYPE_MISMATCH',
        `features.include: column "${c.name}" has type ${c.sourceType}, which cannot be a feature`,
        {
          hint: 'Declare its kind in data.schema (numeric, categorical or timestamp), or derive a feature from it.',
        },
      );
    }
    if (RESERVED.has(c.name))
      throw new FlywheelError('SPEC_INVALID', `column "${c.name}" uses a reserved name`);
    features.push({
      name: c.name,
      type: c.type,
      sql: convertSql(c.name, c.sourceType, c.type),
      derived: false,
    });
  }
  for (const { name } of pointInTime) {
    features.push({
      name,
      type: 'numeric',
      sql: `CAST(${sqlIdent(name)} AS DOUBLE)`,
      derived: true,
    });
  }
  const pitNames = new Set(pointInTime.map((f) => f.name));
  for (const [name, text] of Object.entries(spec.features?.derive ?? {})) {
    if (types.has(name) && !pitNames.has(name)) {
      throw new FlywheelError(
        'SPEC_INVALID',
        `features.derive.${name}: a column called "${name}" already exists; choose another name`,
      );
    }
    const ast = parseExpression(text);
    let type: string;
    try {
      type = typeCheck(ast, types);
    } catch (err) {
      if (err instanceof FlywheelError)
        throw new FlywheelError(err.code, `features.derive.${name}: ${err.message}`, {
          details: err.details,
        });
      throw err;
    }
    const sql = type === 'boolean' ? `CAST((${toSql(ast)}) AS DOUBLE)` : toSql(ast);
    const kind: ColumnType = type === 'boolean' ? 'numeric' : (type as ColumnType);
    const wrapped =
      kind === 'numeric'
        ? `CAST(${sql} AS DOUBLE)`
        : kind === 'categorical'
          ? `CAST(${sql} AS VARCHAR)`
          : `CAST(${sql} AS TIMESTAMP)`;
    features.push({ name, type: kind, sql: wrapped, derived: true });
  }
  if (features.length === 0) {
    throw new FlywheelError(
      'SPEC_INVALID',
      'features: no usable feature columns remain after include/exclude; a model needs at least one',
    );
  }
  return features;
}

function targetExpression(
  spec: Spec,
  target: { name: string; sourceType: string; type: ColumnType | undefined },
  types: Map<string, ColumnType>,
): { sql: string; kind: TargetKind } {
  const ref = sqlIdent(target.name);
  if (spec.task === 'binary') {
    if (spec.target.positive !== undefined) {
      const ast = parseExpression(spec.target.positive);
      let type: string;
      try {
        type = typeCheck(ast, types);
      } catch (err) {
        if (err instanceof FlywheelError)
          throw new FlywheelError('TARGET_INVALID', `target.positive: ${err.message}`, {
            details: err.details,
          });
        throw err;
      }
      if (type !== 'boolean') {
        throw new FlywheelError(
          'TARGET_INVALID',
          `target.positive must be a condition (true/false), but "${spec.target.positive}" gives a ${type} value`,
        );
      }
      const p = toSql(ast);
      return { sql: `CASE WHEN (${p}) THEN 1.0 WHEN NOT (${p}) THEN 0.0 END`, kind: 'binary' };
    }
    if (target.type !== 'numeric') {
      throw new FlywheelError(
        'TARGET_INVALID',
        `target.column "${target.name}" is ${target.sourceType}; a binary target needs target.positive (e.g. ${target.name} = 'yes') or a true/false or 0/1 column`,
      );
    }
    return {
      sql: `CASE WHEN CAST(${ref} AS DOUBLE) = 1 THEN 1.0 WHEN CAST(${ref} AS DOUBLE) = 0 THEN 0.0 END`,
      kind: 'binary',
    };
  }
  if (spec.task === 'regression') {
    if (target.type !== 'numeric') {
      throw new FlywheelError(
        'TARGET_INVALID',
        `target.column "${target.name}" is ${target.sourceType}; a regression target must be numeric`,
      );
    }
    return { sql: convertSql(target.name, target.sourceType, 'numeric'), kind: 'numeric' };
  }
  return { sql: `NULLIF(CAST(${ref} AS VARCHAR), '')`, kind: 'categorical' };
}

async function checkSplits(
  session: DuckSession,
  spec: Spec,
  splits: readonly SplitStats[],
): Promise<void> {
  for (const s of splits) {
    if (s.labelled > 0) continue;
    let context = '';
    if (spec.split.method === 'time') {
      const range = await session.rows(
        'SELECT CAST(min(__event_time) AS VARCHAR) AS lo, CAST(max(__event_time) AS VARCHAR) AS hi FROM fw_dataset',
      );
      const part = spec.split[s.split];
      context = ` (${s.split} covers ${part.from ?? '-∞'} to ${part.until ?? '+∞'}; the data's ${spec.event_time} runs from ${String(range[0]?.['lo'])} to ${String(range[0]?.['hi'])})`;
    }
    throw new FlywheelError(
      'SPLIT_EMPTY',
      `split.${s.split} holds ${s.rows === 0 ? 'no rows' : 'no labelled rows'}${context}`,
    );
  }
}

async function checkTargetClasses(
  session: DuckSession,
  spec: Spec,
  kind: TargetKind,
  splits: readonly SplitStats[],
): Promise<string[] | undefined> {
  if (kind === 'binary') {
    const train = splits[0]!;
    if (train.positives === 0 || train.positives === train.labelled) {
      const which = train.positives === 0 ? 'negative' : 'positive';
      throw new FlywheelError(
        'TARGET_INVALID',
        `the target has one class in the training split: all ${train.labelled} labelled rows are ${which}${spec.target.positive ? ` under "${spec.target.positive}"` : ''}; nothing can be learned`,
      );
    }
    return undefined;
  }
  if (kind === 'numeric') {
    const r = await session.rows(
      "SELECT count(DISTINCT __target) AS d FROM fw_dataset WHERE __split = 'train'",
    );
    if (Number(r[0]?.['d']) < 2) {
      throw new FlywheelError(
        'TARGET_INVALID',
        `the target "${spec.target.column}" is constant in the training split; nothing can be learned`,
      );
    }
    return undefined;
  }
  const found = (
    await session.rows(
      'SELECT DISTINCT __target AS c FROM fw_dataset WHERE __target IS NOT NULL ORDER BY 1',
    )
  ).map((r) => String(r['c']));
  const declared = spec.target.classes;
  if (declared) {
    const unknown = found.filter((c) => !declared.includes(c));
    if (unknown.length > 0) {
      throw new FlywheelError(
        'TARGET_INVALID',
        `target.classes does not list ${unknown
          .slice(0, 5)
          .map((c) => JSON.stringify(c))
          .join(', ')}, found in the data`,
      );
    }
  }
  if (found.length < 2) {
    throw new FlywheelError(
      'TARGET_INVALID',
      `the target "${spec.target.column}" has ${found.length} class(es); a multiclass task needs at least 2`,
    );
  }
  return declared ?? found;
}
