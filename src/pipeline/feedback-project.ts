/**
 * `flywheel feedback ingest FILE`: labels from a CSV, Parquet or JSON file
 * with the columns `prediction_id` (or `entity` and `event_time`, for the
 * model named by `--model`), `label` and optionally `observed_at`, checked
 * whole before any is stored.
 */
import path from 'node:path';
import { convertSql, DuckSession, sqlIdent } from '../data/index.js';
import { FlywheelError } from '../errors.js';
import {
  addFeedbackReport,
  checkLabels,
  emptyFeedbackReport,
  type FeedbackReport,
  ingestFeedback,
} from '../feedback/index.js';
import { assertModelName } from '../registry/index.js';
import type { Stores } from '../store/index.js';
import { fileReaderSql } from './file-reader.js';

const NUMERIC =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|REAL|DECIMAL.*)$/;
const FRACTIONAL = /^(FLOAT|DOUBLE|REAL|DECIMAL.*)$/;
const TEXT = /^(VARCHAR|TEXT)/;
const PAGE = 5000;

/** An instant column as ISO-8601 text (strings are left for the label check to read). */
const isoSql = (column: string, type: string) =>
  TEXT.test(type)
    ? sqlIdent(column)
    : `strftime(${convertSql(column, type, 'timestamp')}, '%Y-%m-%dT%H:%M:%S.%gZ')`;

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
  options: {
    source?: string;
    /** The model of a file keyed by entity and event time. */
    model?: string;
    /** A label observed longer than this after its prediction is late (the spec's `feedback.late_after`). */
    lateAfterMs?: number;
    onProgress?: (done: number, total: number) => void;
  } = {},
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
    const byId = type('prediction_id') !== undefined;
    if (byId && options.model !== undefined) {
      throw new FlywheelError(
        'USAGE',
        `${file} has a prediction_id column; --model is only for files keyed by entity and event_time`,
      );
    }
    for (const required of byId ? ['prediction_id', 'label'] : ['entity', 'event_time', 'label']) {
      if (type(required) === undefined) {
        throw new FlywheelError(
          'SCHEMA_MISSING_COLUMN',
          `${file}: no column "${required}"; a labels file has prediction_id (or entity and event_time, with --model), label and optionally observed_at (columns are: ${columns.map((c) => c.name).join(', ')})`,
        );
      }
    }
    const model = options.model;
    if (!byId) {
      if (model === undefined) {
        throw new FlywheelError(
          'USAGE',
          `${file} is keyed by entity and event_time: name the model with --model NAME`,
        );
      }
      assertModelName(model);
    }
    const labelType = type('label')!;
    const label =
      labelType === 'BOOLEAN' || labelType === 'VARCHAR'
        ? sqlIdent('label')
        : NUMERIC.test(labelType)
          ? `CAST(label AS DOUBLE)`
          : `CAST(label AS VARCHAR)`;
    const observed =
      type('observed_at') === undefined ? 'NULL' : isoSql('observed_at', type('observed_at')!);
    // A numeric entity reads as the server logs a number (7.0 and 7 are entity "7").
    const key = byId
      ? 'CAST(prediction_id AS VARCHAR) AS prediction_id'
      : `${FRACTIONAL.test(type('entity')!) ? 'CAST(entity AS DOUBLE)' : 'CAST(entity AS VARCHAR)'} AS entity, ${isoSql('event_time', type('event_time')!)} AS event_time`;
    const keyColumns = byId ? 'prediction_id' : 'entity, event_time';
    await session.run(
      `CREATE TEMP TABLE fw_labels AS SELECT row_number() OVER () - 1 AS __row, ${key}, ${label} AS label, ${observed} AS observed_at FROM ${relation}`,
    );
    const [count] = await session.rows('SELECT count(*) AS n FROM fw_labels');
    const total = Number(count?.['n'] ?? 0);
    const page = async (offset: number) =>
      (
        await session.rows(
          `SELECT ${keyColumns}, label, observed_at FROM fw_labels WHERE __row >= ${offset} AND __row < ${offset + PAGE} ORDER BY __row`,
        )
      ).map((r) => {
        const { observed_at, ...row } = r;
        return {
          ...(byId ? {} : { model }),
          ...row,
          ...(observed_at === null ? {} : { observed_at }),
        };
      });
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
    const totals = emptyFeedbackReport();
    for (let offset = 0; offset < total; offset += PAGE) {
      const report = await ingestFeedback(stores, await page(offset), {
        ...(options.source === undefined ? {} : { source: options.source }),
        ...(options.lateAfterMs === undefined ? {} : { lateAfterMs: options.lateAfterMs }),
      });
      addFeedbackReport(totals, report);
      options.onProgress?.(Math.min(total, offset + PAGE), total);
    }
    return { file, ...totals };
  } finally {
    session.close();
  }
}
