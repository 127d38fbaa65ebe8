/**
 * `flywheel feedback ingest FILE`: labels from a CSV, Parquet or JSON file
 * with the columns `prediction_id`, `label` and optionally `observed_at`,
 * checked whole before any is stored.
 */
import path from 'node:path';
import { DuckSession, sqlIdent } from '../data/index.js';
import { FlywheelError } from '../errors.js';
import { checkLabels, type FeedbackReport, ingestFeedback } from '../feedback/index.js';
import type { Stores } from '../store/index.js';
import { fileReaderSql } from './file-reader.js';

const NUMERIC =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|REAL|DECIMAL.*)$/;
const PAGE = 5000;

/**
 * Ingests a file of labels: all are checked first; a file with a malformed
 * label stores nothing.
 *
 * @example
 * const report = await ingestFeedbackFile(stores, 'outcomes.csv', { source: 'ops' });
 */
export async function ingestFeedbackFile(
  stores: Stores,
  file: string,
  options: { source?: string; onProgress?: (done: number, total: number) => void } = {},
): Promise<FeedbackReport & { file: string }> {
  const session = await DuckSession.open();
  try {
    const relation = fileReaderSql(path.resolve(file), file);
    let columns: { name: string; type: string }[];
    try {
      columns = await session.describe(`SELECT * FROM ${relation}`);
    } catch (err) {
      throw new FlywheelError(
        'DATA_UNREADABLE',
        `${file}: ${(err as Error).message.split('\n')[0]}`,
        {
          cause: err,
        },
      );
    }
    const type = (name: string) => columns.find((c) => c.name === name)?.type;
    for (const required of ['prediction_id', 'label']) {
      if (type(required) === undefined) {
        throw new FlywheelError(
          'SCHEMA_MISSING_COLUMN',
          `${file}: no column "${required}"; a labels file has prediction_id, label and optionally observed_at (columns are: ${columns.map((c) => c.name).join(', ')})`,
        );
      }
    }
    const labelType = type('label')!;
    const label =
      labelType === 'BOOLEAN' || labelType === 'VARCHAR'
        ? sqlIdent('label')
        : NUMERIC.test(labelType)
          ? `CAST(label AS DOUBLE)`
          : `CAST(label AS VARCHAR)`;
    const observed =
      type('observed_at') === undefined
        ? 'NULL'
        : /^(VARCHAR|TEXT)/.test(type('observed_at')!)
          ? 'observed_at'
          : `strftime(CAST(observed_at AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S.%gZ')`;
    await session.run(
      `CREATE TEMP TABLE fw_labels AS SELECT row_number() OVER () - 1 AS __row, CAST(prediction_id AS VARCHAR) AS prediction_id, ${label} AS label, ${observed} AS observed_at FROM ${relation}`,
    );
    const [count] = await session.rows('SELECT count(*) AS n FROM fw_labels');
    const total = Number(count?.['n'] ?? 0);
    const page = async (offset: number) =>
      (
        await session.rows(
          `SELECT prediction_id, label, observed_at FROM fw_labels WHERE __row >= ${offset} AND __row < ${offset + PAGE} ORDER BY __row`,
        )
      ).map((r) =>
        r['observed_at'] === null ? { prediction_id: r['prediction_id'], label: r['label'] } : r,
      );
    // Every label is checked before any is stored.
    for (let offset = 0; offset < total; offset += PAGE) {
      const problems = checkLabels(await page(offset));
      if (problems.length > 0) {
        const p = problems[0]!;
        throw new FlywheelError(
          'EVENTS_INVALID',
          `${file}: row ${p.row + offset + 1}, ${p.field}: ${p.message}; nothing was stored`,
          { details: { file, problems: problems.map((x) => ({ ...x, row: x.row + offset + 1 })) } },
        );
      }
    }
    const totals = {
      received: 0,
      added: 0,
      duplicates: 0,
      conflicts: 0,
      unknown: 0,
      invalid: 0,
      late: 0,
      positives: 0,
    };
    for (let offset = 0; offset < total; offset += PAGE) {
      const report = await ingestFeedback(stores, await page(offset), {
        ...(options.source === undefined ? {} : { source: options.source }),
      });
      for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += report[k];
      options.onProgress?.(Math.min(total, offset + PAGE), total);
    }
    return { file, ...totals };
  } finally {
    session.close();
  }
}
