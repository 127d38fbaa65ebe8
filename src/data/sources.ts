/**
 * Registers the spec's data sources (CSV, Parquet, JSON/NDJSON files or
 * globs) as DuckDB views, then exposes the spec's query over them as the
 * view `fw_input`. Files are checked before DuckDB sees them, so a missing
 * file, a directory or an empty file gets a clear error naming it; CSV rows
 * that cannot be parsed are collected per row instead of aborting blindly.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { FlywheelError } from '../errors.js';
import type { Spec } from '../spec/index.js';
import { type DuckSession, sqlIdent, sqlString } from './duck.js';

type SourceSpec = Spec['data']['sources'][string];
type CsvOptions = NonNullable<SourceSpec['csv']>;

export interface RejectedRow {
  readonly source: string;
  readonly line: number;
  readonly column: string | null;
  readonly error: string;
}

export interface SourceReport {
  readonly name: string;
  readonly path: string;
  readonly format: 'csv' | 'parquet' | 'json' | 'ndjson';
  readonly rejected: readonly RejectedRow[];
}

const EXTENSIONS: Record<string, SourceReport['format']> = {
  '.csv': 'csv',
  '.tsv': 'csv',
  '.txt': 'csv',
  '.parquet': 'parquet',
  '.pq': 'parquet',
  '.json': 'json',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
};

function formatOf(name: string, source: SourceSpec): SourceReport['format'] {
  if (source.format) return source.format;
  const ext = path.extname(source.path.replace(/\.gz$/, '')).toLowerCase();
  const format = EXTENSIONS[ext];
  if (!format) {
    throw new FlywheelError(
      'DATA_UNREADABLE',
      `data.sources.${name}: cannot tell the format of ${source.path} from its extension`,
      {
        hint: 'Set format: csv, parquet, json or ndjson.',
      },
    );
  }
  return format;
}

function checkFile(name: string, shown: string, absolute: string): void {
  if (/[*?[]/.test(absolute)) return; // a glob: DuckDB reports when nothing matches
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(absolute);
  } catch {
    throw new FlywheelError('DATA_NOT_FOUND', `data.sources.${name}: file not found: ${shown}`);
  }
  if (stats.isDirectory()) {
    throw new FlywheelError(
      'DATA_NOT_FOUND',
      `data.sources.${name}: ${shown} is a directory, not a data file`,
      {
        hint: 'Point path at a file, or at a glob such as dir/*.parquet.',
      },
    );
  }
  if (stats.size === 0) {
    throw new FlywheelError(
      'DATA_EMPTY',
      `data.sources.${name}: ${shown} is empty (0 bytes, 0 rows)`,
    );
  }
}

function csvReader(
  file: string,
  csv: CsvOptions | undefined,
  rejectsTable: string,
  scanTable: string,
): string {
  const args = [sqlString(file), 'ignore_errors=true', 'store_rejects=true'];
  args.push(`rejects_table=${sqlString(rejectsTable)}`, `rejects_scan=${sqlString(scanTable)}`);
  if (csv?.delimiter !== undefined) args.push(`delim=${sqlString(csv.delimiter)}`);
  if (csv?.header !== undefined) args.push(`header=${csv.header}`);
  if (csv?.quote !== undefined) args.push(`quote=${sqlString(csv.quote)}`);
  if (csv?.escape !== undefined) args.push(`escape=${sqlString(csv.escape)}`);
  if (csv?.skip_rows !== undefined) args.push(`skip=${csv.skip_rows}`);
  if (csv?.null_values !== undefined)
    args.push(`nullstr=[${csv.null_values.map(sqlString).join(', ')}]`);
  if (csv?.date_format !== undefined) args.push(`dateformat=${sqlString(csv.date_format)}`);
  if (csv?.timestamp_format !== undefined)
    args.push(`timestampformat=${sqlString(csv.timestamp_format)}`);
  return `read_csv(${args.join(', ')})`;
}

/** Rewrites DuckDB's message about a file into one that names the source. */
function readError(name: string, shown: string, err: unknown): FlywheelError {
  const raw = err instanceof Error ? err.message : String(err);
  const first = raw.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('LINE '))[0] ?? raw;
  const reason = first
    .replace(/^[A-Za-z ]+ Error: /, '')
    .replace(
      /No magic bytes found at end of file.*/,
      'not a Parquet file (no magic bytes at the end)',
    );
  if (/No files found that match/.test(raw)) {
    return new FlywheelError('DATA_NOT_FOUND', `data.sources.${name}: no files match ${shown}`);
  }
  return new FlywheelError(
    'DATA_UNREADABLE',
    `data.sources.${name}: cannot read ${shown}: ${reason}`,
    { cause: err },
  );
}

/**
 * Creates one view per source and `fw_input` over the spec's query.
 *
 * @example
 * const session = await DuckSession.open();
 * const reports = await registerSources(session, spec, '/path/to/project');
 */
export async function registerSources(
  session: DuckSession,
  spec: Spec,
  specDir: string,
): Promise<SourceReport[]> {
  const reports: SourceReport[] = [];
  for (const [name, source] of Object.entries(spec.data.sources)) {
    const absolute = path.resolve(specDir, source.path);
    const shown = source.path;
    checkFile(name, shown, absolute);
    const format = formatOf(name, source);
    const view = sqlIdent(name);
    let rejected: RejectedRow[] = [];
    try {
      if (format === 'parquet') {
        await session.run(
          `CREATE OR REPLACE TEMP VIEW ${view} AS SELECT * FROM read_parquet(${sqlString(absolute)})`,
        );
        await session.rows(`SELECT * FROM ${view} LIMIT 0`);
      } else if (format === 'json' || format === 'ndjson') {
        const fmt = format === 'ndjson' ? 'newline_delimited' : 'auto';
        await session.run(
          `CREATE OR REPLACE TEMP TABLE ${view} AS SELECT * FROM read_json(${sqlString(absolute)}, format=${sqlString(fmt)})`,
        );
      } else {
        const rejects = `fw_rejects_${name}`;
        const scans = `fw_scans_${name}`;
        await session.run(
          `CREATE OR REPLACE TEMP TABLE ${view} AS SELECT * FROM ${csvReader(absolute, source.csv, rejects, scans)}`,
        );
        const rows = await session.rows(
          `SELECT DISTINCT ON (line) line, column_name, error_type, error_message FROM ${sqlIdent(rejects)} ORDER BY line, column_idx LIMIT 1000`,
        );
        rejected = rows.map((r) => ({
          source: name,
          line: Number(r['line']),
          column: r['column_name'] === null ? null : String(r['column_name']),
          error: `${String(r['error_type']).toLowerCase()}: ${String(r['error_message']).split('\n')[0]}`,
        }));
        if (source.csv?.header === undefined) {
          const cols = await session.describe(`SELECT * FROM ${view}`);
          const count = await session.rows(`SELECT count(*) AS n FROM ${view}`);
          if (cols.every((c) => /^column\d+$/.test(c.name)) && Number(count[0]?.['n']) <= 1) {
            throw new FlywheelError(
              'DATA_EMPTY',
              `data.sources.${name}: ${shown} holds at most a header line (0 rows)`,
            );
          }
        }
        const onBad = source.csv?.on_bad_rows ?? 'fail';
        if (rejected.length > 0 && onBad === 'fail') {
          const shownRows = rejected.slice(0, 5).map((r) => `  line ${r.line}: ${r.error}`);
          throw new FlywheelError(
            'DATA_UNREADABLE',
            [
              `data.sources.${name}: ${shown} has ${rejected.length}${rejected.length === 1000 ? '+' : ''} bad row(s):`,
              ...shownRows,
            ].join('\n'),
            {
              hint: 'Fix the file, or set csv.on_bad_rows: skip to drop them (each is reported).',
              details: { rejected },
            },
          );
        }
      }
    } catch (err) {
      if (err instanceof FlywheelError) throw err;
      throw readError(name, shown, err);
    }
    reports.push({ name, path: shown, format, rejected });
  }
  const names = Object.keys(spec.data.sources);
  const query = spec.data.query ?? `SELECT * FROM ${sqlIdent(names[0]!)}`;
  if (spec.data.query === undefined && names.length > 1) {
    throw new FlywheelError(
      'SPEC_INVALID',
      `data: ${names.length} sources but no data.query saying how to combine them`,
      {
        hint: `Write data.query, e.g. SELECT * FROM ${names[0]} JOIN ${names[1]} USING (...)`,
      },
    );
  }
  try {
    await session.run(`CREATE OR REPLACE TEMP VIEW fw_input AS ${query}`);
  } catch (err) {
    const message = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    throw new FlywheelError(
      'SPEC_INVALID',
      `data.query is not valid SQL over the sources (${names.join(', ')}): ${message}`,
    );
  }
  return reports;
}
