/**
 * The input of batch scoring: its format from the file's extension, checks
 * that the input file and the output folder exist, and the input opened in
 * DuckDB as `fw_in`, its columns lined up with the bundle's inputs, their
 * values checked and scanned once (row count, nulls, categories), and the
 * SELECT list that streams them.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import {
  convertSql,
  type DuckSession,
  inferColumnType,
  sqlIdent,
  sqlString,
} from '../data/index.js';
import { FlywheelError } from '../errors.js';
import type { BundleInput, ModelBundle } from '../registry/index.js';

export type BatchFormat = 'csv' | 'parquet';

const EXTENSIONS: Record<string, BatchFormat> = {
  '.csv': 'csv',
  '.tsv': 'csv',
  '.parquet': 'parquet',
  '.pq': 'parquet',
};

/** One input column as the stream reads it: converted as training converts it, or absent. */
export interface InputPlan {
  readonly input: BundleInput;
  /** SQL giving the value in the input's kind; undefined when the file lacks the column. */
  readonly sql: string | undefined;
  readonly sourceType?: string;
}

export function formatOf(file: string, role: 'input' | 'output'): BatchFormat {
  const ext = path.extname(file.replace(/\.gz$/i, '')).toLowerCase();
  const format = EXTENSIONS[ext];
  if (!format) {
    throw new FlywheelError(
      role === 'input' ? 'DATA_UNREADABLE' : 'USAGE',
      `cannot tell the format of the ${role} ${file} from its extension`,
      { hint: 'use .csv, .tsv, .csv.gz, .parquet or .pq' },
    );
  }
  return format;
}

function readerSql(file: string, format: BatchFormat): string {
  return format === 'parquet'
    ? `read_parquet(${sqlString(file)})`
    : `read_csv(${sqlString(file)}${/\.tsv(\.gz)?$/i.test(file) ? ", delim='\\t'" : ''})`;
}

/** DuckDB's first useful line, for messages that name the file instead. */
export function duckReason(err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  const first = raw.split('\n').find((l) => l.trim() !== '' && !l.startsWith('LINE ')) ?? raw;
  return first.replace(/^[A-Za-z ]+ Error: /, '');
}

export function unreadable(shown: string, err: unknown): FlywheelError {
  if (err instanceof FlywheelError) return err;
  return new FlywheelError('DATA_UNREADABLE', `cannot read ${shown}: ${duckReason(err)}`, {
    cause: err,
  });
}

export function checkInputFile(shown: string, absolute: string): void {
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(absolute);
  } catch {
    throw new FlywheelError('DATA_NOT_FOUND', `input file not found: ${shown}`);
  }
  if (stats.isDirectory())
    throw new FlywheelError('DATA_NOT_FOUND', `${shown} is a directory, not a data file`);
  if (stats.size === 0) throw new FlywheelError('DATA_EMPTY', `${shown} is empty (0 bytes)`);
}

export function checkOutputFolder(shown: string, absolute: string): void {
  const dir = path.dirname(absolute);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {}
  if (!isDir) {
    throw new FlywheelError('USAGE', `the folder of the output ${shown} does not exist`, {
      hint: `create ${path.dirname(shown) || '.'} first`,
    });
  }
}

/**
 * Lines the file's columns up with the bundle's inputs. A missing column is an
 * error, except a point-in-time feature (the online store's job): it is
 * scored as missing, with a warning. A column of the wrong kind is an error.
 */
function planInputs(
  bundle: ModelBundle,
  columns: readonly { name: string; type: string }[],
  shown: string,
  warnings: string[],
): InputPlan[] {
  const byName = new Map(columns.map((c) => [c.name, c.type]));
  const pointInTime = new Set(bundle.featureVersions.map((f) => f.name));
  const missing: string[] = [];
  const plans: InputPlan[] = [];
  // Point-in-time features that are not inputs will come from the online
  // store; until then a file may carry them, as the server treats them.
  const inputNames = new Set(bundle.inputs.map((i) => i.name));
  const served: BundleInput[] = [...pointInTime]
    .filter((name) => !inputNames.has(name))
    .map((name) => ({ name, type: 'numeric', nullable: true }));
  for (const input of [...bundle.inputs, ...served]) {
    const sourceType = byName.get(input.name);
    if (sourceType === undefined) {
      if (pointInTime.has(input.name)) {
        warnings.push(
          `${shown} has no column "${input.name}" (a point-in-time feature): scored as missing`,
        );
        plans.push({ input, sql: undefined });
      } else missing.push(input.name);
      continue;
    }
    const kind = inferColumnType(sourceType);
    const convertible =
      kind === input.type ||
      (kind !== undefined && input.type === 'categorical') ||
      (kind === 'categorical' && input.type !== 'categorical');
    if (!convertible) {
      throw new FlywheelError(
        'SCHEMA_TYPE_MISMATCH',
        `${shown}: column "${input.name}" is ${sourceType}, but the model reads it as ${input.type}`,
        { details: { file: shown, column: input.name, type: sourceType, expected: input.type } },
      );
    }
    plans.push({ input, sql: convertSql(input.name, sourceType, input.type), sourceType });
  }
  if (missing.length > 0) {
    const list = missing.map((m) => `"${m}"`).join(', ');
    throw new FlywheelError(
      'SCHEMA_MISSING_COLUMN',
      `${shown} lacks column${missing.length > 1 ? 's' : ''} ${list}, which the model needs`,
      {
        details: { file: shown, missing },
        hint: `the model reads: ${bundle.inputs.map((i) => `${i.name} (${i.type})`).join(', ')}`,
      },
    );
  }
  return plans;
}

/** Text columns read as numbers or timestamps must convert, as training checks its declared types. */
async function checkValues(session: DuckSession, plans: readonly InputPlan[], shown: string) {
  for (const plan of plans) {
    if (plan.sql === undefined || plan.input.type === 'categorical') continue;
    if (inferColumnType(plan.sourceType ?? '') === plan.input.type) continue;
    const text = `CAST(${sqlIdent(plan.input.name)} AS VARCHAR)`;
    const bad = await session.rows(
      `SELECT row_number() OVER () AS row, ${text} AS value FROM fw_in QUALIFY NULLIF(TRIM(${text}), '') IS NOT NULL AND ${plan.sql} IS NULL LIMIT 3`,
    );
    if (bad.length > 0) {
      const examples = bad
        .map((b) => `row ${String(b['row'])}: ${JSON.stringify(String(b['value']).slice(0, 40))}`)
        .join(', ');
      throw new FlywheelError(
        'SCHEMA_TYPE_MISMATCH',
        `${shown}: column "${plan.input.name}" should be ${plan.input.type} but holds values that are not (${examples})`,
        { details: { file: shown, column: plan.input.name, expected: plan.input.type } },
      );
    }
  }
}

/**
 * One scan of the input: the row count, the nulls of inputs that may not be
 * null, and one ENUM per categorical input (so codes come out of DuckDB and
 * strings never reach JavaScript row by row, as in load-frame.ts).
 */
async function scanInput(
  session: DuckSession,
  plans: readonly InputPlan[],
  shown: string,
): Promise<{ rows: number; dictionaries: Map<string, string[]> }> {
  const selects = ['count(*) AS n'];
  plans.forEach((p, i) => {
    if (p.sql === undefined) return;
    if (p.input.type === 'categorical')
      selects.push(`list(DISTINCT ${p.sql}) FILTER (WHERE ${p.sql} IS NOT NULL) AS d${i}`);
    if (!p.input.nullable) selects.push(`count(*) FILTER (WHERE ${p.sql} IS NULL) AS z${i}`);
  });
  await session.run(`CREATE TEMP TABLE fw_scan AS SELECT ${selects.join(', ')} FROM fw_in`);
  const [scan] = await session.rows('SELECT n FROM fw_scan');
  const dictionaries = new Map<string, string[]>();
  for (const [i, p] of plans.entries()) {
    if (p.sql === undefined) continue;
    if (!p.input.nullable) {
      const [nulls] = await session.rows(`SELECT z${i} AS z FROM fw_scan`);
      if (Number(nulls?.['z']) > 0) {
        throw new FlywheelError(
          'SCHEMA_TYPE_MISMATCH',
          `${shown}: column "${p.input.name}" is missing on ${String(nulls?.['z'])} row(s), and the model requires it`,
          { details: { file: shown, column: p.input.name } },
        );
      }
    }
    if (p.input.type !== 'categorical') continue;
    await session.run(
      `CREATE TYPE fw_enum_${i} AS ENUM (SELECT v FROM (SELECT unnest(d${i}) AS v FROM fw_scan) ORDER BY v)`,
    );
    const values = await session.rows(`SELECT unnest(enum_range(NULL::fw_enum_${i})) AS v`);
    dictionaries.set(
      p.input.name,
      values.map((r) => String(r['v'])),
    );
  }
  return { rows: Number(scan?.['n'] ?? 0), dictionaries };
}

/** The SELECT list of the stream: every present input as a number or a code, never NULL. */
export function streamSelects(plans: readonly InputPlan[]): string[] {
  const selects: string[] = [];
  plans.forEach((p, i) => {
    if (p.sql === undefined) return;
    if (p.input.type === 'categorical')
      selects.push(`COALESCE(CAST(enum_code(CAST(${p.sql} AS fw_enum_${i})) AS INTEGER), -1)`);
    else if (p.input.type === 'timestamp')
      selects.push(`COALESCE(CAST(epoch_ms(${p.sql}) AS DOUBLE), 'NaN'::DOUBLE)`);
    else selects.push(`COALESCE(CAST(${p.sql} AS DOUBLE), 'NaN'::DOUBLE)`);
  });
  return selects;
}

/** The input as scoring sees it: its columns, the plan per model input, row count, dictionaries. */
export interface OpenedInput {
  readonly columns: readonly { name: string; type: string }[];
  readonly plans: readonly InputPlan[];
  readonly rows: number;
  readonly dictionaries: ReadonlyMap<string, string[]>;
}

/** Registers the file as `fw_in`, checks it against the bundle and scans it once. */
export async function openInput(
  session: DuckSession,
  bundle: ModelBundle,
  file: { absolute: string; shown: string; format: BatchFormat },
  warnings: string[],
): Promise<OpenedInput> {
  let columns: { name: string; type: string }[];
  try {
    await session.run(
      `CREATE TEMP VIEW fw_in AS SELECT * FROM ${readerSql(file.absolute, file.format)}`,
    );
    columns = await session.describe('SELECT * FROM fw_in');
  } catch (err) {
    throw unreadable(file.shown, err);
  }
  const plans = planInputs(bundle, columns, file.shown, warnings);
  try {
    await checkValues(session, plans, file.shown);
    return { columns, plans, ...(await scanInput(session, plans, file.shown)) };
  } catch (err) {
    throw unreadable(file.shown, err);
  }
}
