/**
 * An independent check of point-in-time features: recomputes a sample of
 * rows with a plain band join (slow, but the definition read literally) and
 * reports rows whose value used events at or after their prediction time
 * (`leakage.future_event`) and rows where the fast SQL disagrees with the
 * definition (`features.mismatch`).
 */
import { FlywheelError } from '../errors.js';
import type { Finding } from '../findings.js';
import { type SqlRunner, sqlIdent } from '../sql.js';
import { type PointInTimeArgs, type ResolvedFeature, resolveFeatures } from './resolve.js';
import { requireColumn } from './sql-columns.js';

export interface AuditOptions {
  /** Rows recomputed per feature, spread evenly over the output (default 2,000). */
  readonly sampleSize?: number;
}

/** Values closer than this, relative to their magnitude, agree. */
const TOLERANCE = 1e-9;

interface AuditedRow {
  readonly key: string | null;
  readonly time: string | null;
  readonly computed: number | null;
  /** Events strictly before the prediction time only. */
  readonly strict: number | null;
  /** Events at the prediction time too. */
  readonly inclusive: number | null;
  /** Events at (or after) the prediction time inside the window. */
  readonly atOrAfter: number;
  readonly firstAtOrAfter: string | null;
  /** The magnitude rounding errors in the value scale with (0 when exact). */
  readonly scale: number;
}

/** The band-join aggregate of events passing `filter`, as the definition states it. */
function aggregateSql(f: ResolvedFeature, filter: string): string {
  const v = 'e.__fw_value';
  const only = `FILTER (WHERE ${filter})`;
  switch (f.definition.aggregate) {
    case 'count':
      return `count(${f.value === undefined ? 'e.__fw_time' : v}) ${only}`;
    case 'sum':
      return `coalesce(sum(${v}) ${only}, 0)`;
    case 'mean':
      return `avg(${v}) ${only}`;
    case 'min':
      return `min(${v}) ${only}`;
    case 'max':
      return `max(${v}) ${only}`;
    case 'last':
      return `first(${v} ORDER BY e.__fw_time DESC, ${v} DESC) FILTER (WHERE ${filter} AND ${v} IS NOT NULL)`;
  }
}

function auditSql(
  f: ResolvedFeature,
  output: string,
  predictionTime: string,
  total: number,
  sampleSize: number,
): string {
  // Rounding in a sum is bounded by the sum of magnitudes, in a mean by the
  // largest magnitude; the other aggregates are exact.
  const aggregate = f.definition.aggregate;
  const scale =
    aggregate === 'sum'
      ? 'sum(abs(e.__fw_value))'
      : aggregate === 'mean'
        ? 'max(abs(e.__fw_value))'
        : undefined;
  return `WITH s AS (
  SELECT __fw_row, ${f.rowKey} AS __fw_key, epoch_us(${predictionTime}) AS __fw_time,
         CAST(${sqlIdent(f.name)} AS DOUBLE) AS __fw_computed
  FROM (SELECT row_number() OVER () - 1 AS __fw_row, * FROM ${sqlIdent(output)})
  -- row i is sampled when i * sampleSize / total crosses an integer: min(total, sampleSize) rows, evenly spread
  WHERE (__fw_row + 1) * ${sampleSize} // ${total} > __fw_row * ${sampleSize} // ${total}
), e AS (
  SELECT ${f.eventKey} AS __fw_key, epoch_us(${f.eventTime}) AS __fw_time,
         ${f.value ?? 'NULL::DOUBLE'} AS __fw_value
  FROM ${sqlIdent(f.events.view)}
)
SELECT CAST(s.__fw_key AS VARCHAR) AS key, CAST(make_timestamp(s.__fw_time) AS VARCHAR) AS time,
       any_value(s.__fw_computed) AS computed,
       ${aggregateSql(f, 'e.__fw_time < s.__fw_time')} AS strict,
       ${aggregateSql(f, 'true')} AS inclusive,
       count(e.__fw_time) FILTER (WHERE e.__fw_time >= s.__fw_time) AS at_or_after,
       CAST(make_timestamp(min(e.__fw_time) FILTER (WHERE e.__fw_time >= s.__fw_time)) AS VARCHAR) AS first_at_or_after,
       ${scale === undefined ? '0' : `coalesce(${scale}, 0)`} AS scale
FROM s LEFT JOIN e
  ON e.__fw_key = s.__fw_key
 AND e.__fw_time >= s.__fw_time - ${f.windowMicros}
 AND e.__fw_time <= s.__fw_time
GROUP BY s.__fw_row, s.__fw_key, s.__fw_time
ORDER BY s.__fw_row`;
}

function toNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/** Equal within TOLERANCE of the larger magnitude (and of `scale`); null only equals null. */
function agree(a: number | null, b: number | null, scale: number): boolean {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) <= TOLERANCE * Math.max(Math.abs(a), Math.abs(b), scale);
}

async function auditFeature(
  runner: SqlRunner,
  f: ResolvedFeature,
  output: string,
  predictionTime: string,
  total: number,
  sampleSize: number,
): Promise<Finding[]> {
  const rows: AuditedRow[] = (
    await runner.rows(auditSql(f, output, predictionTime, total, sampleSize))
  ).map((r) => ({
    key: r['key'] === null ? null : String(r['key']),
    time: r['time'] === null ? null : String(r['time']),
    computed: toNumber(r['computed']),
    strict: toNumber(r['strict']),
    inclusive: toNumber(r['inclusive']),
    atOrAfter: Number(r['at_or_after']),
    firstAtOrAfter: r['first_at_or_after'] === null ? null : String(r['first_at_or_after']),
    scale: Number(r['scale']),
  }));
  const def = f.definition;
  const inclusive = def.inclusive === true;
  const common = {
    rows_sampled: rows.length,
    events: def.events,
    key: def.key,
    aggregate: def.aggregate,
    window: def.window,
    inclusive,
  };
  const findings: Finding[] = [];
  // A value used events at its prediction time when the definition admits
  // them, or when it differs from the leak-free value and equals the value
  // with them (a fast path that leaks despite a strict definition).
  const leaked = rows.filter(
    (r) =>
      r.atOrAfter > 0 &&
      (inclusive ||
        (!agree(r.computed, r.strict, r.scale) && agree(r.computed, r.inclusive, r.scale))),
  );
  if (leaked.length > 0) {
    const r = leaked[0]!;
    findings.push({
      check: 'leakage.future_event',
      column: f.name,
      severity: 'block',
      message: `point-in-time feature "${f.name}" used events at or after the prediction time in ${leaked.length} of ${rows.length} sampled rows${inclusive ? ' (it is declared inclusive: true, which counts events at exactly the prediction time)' : ''}; e.g. ${def.key} = ${r.key} predicted at ${r.time} used an event at ${r.firstAtOrAfter}`,
      evidence: {
        ...common,
        rows_affected: leaked.length,
        rows_value_changed: leaked.filter((r) => !agree(r.strict, r.inclusive, r.scale)).length,
        example: {
          key: r.key,
          prediction_time: r.time,
          event_time: r.firstAtOrAfter,
          events_at_or_after: r.atOrAfter,
          value: r.computed,
          value_without_them: r.strict,
        },
      },
    });
  }
  const expected = (r: AuditedRow) => (inclusive ? r.inclusive : r.strict);
  const mismatched = rows.filter((r) => !agree(r.computed, expected(r), r.scale));
  if (mismatched.length > 0) {
    const r = mismatched[0]!;
    findings.push({
      check: 'features.mismatch',
      column: f.name,
      severity: 'block',
      message: `point-in-time feature "${f.name}" disagrees with its definition in ${mismatched.length} of ${rows.length} sampled rows; e.g. ${def.key} = ${r.key} at ${r.time}: computed ${r.computed}, the definition gives ${expected(r)}`,
      evidence: {
        ...common,
        rows_affected: mismatched.length,
        example: {
          key: r.key,
          prediction_time: r.time,
          computed: r.computed,
          expected: expected(r),
        },
      },
    });
  }
  return findings;
}

/**
 * Recomputes each point-in-time feature of `output` on a deterministic
 * sample of rows (evenly spaced) with a band join, independently of the
 * fast SQL. Reports, per feature, a blocking `leakage.future_event` finding
 * when values used events at or after their row's prediction time, and a
 * blocking `features.mismatch` finding when the output disagrees with the
 * definition beyond a relative 1e-9.
 *
 * @example
 * await addPointInTimeFeatures(session, args);
 * const findings = await auditPointInTime(session, args);
 * // [] when every definition is strict and the SQL agrees with it
 */
export async function auditPointInTime(
  runner: SqlRunner,
  args: PointInTimeArgs,
  options: AuditOptions = {},
): Promise<Finding[]> {
  const sampleSize = options.sampleSize ?? 2000;
  if (!Number.isInteger(sampleSize) || sampleSize < 1) {
    throw new FlywheelError('USAGE', `sampleSize must be a positive integer, not ${sampleSize}`);
  }
  const { columns, features, predictionTime } = await resolveFeatures(runner, args, args.output);
  if (features.length === 0) return [];
  for (const f of features)
    requireColumn(columns, f.name, `features.point_in_time.${f.name}`, args.output);
  const counted = await runner.rows(`SELECT count(*) AS n FROM ${sqlIdent(args.output)}`);
  const total = Math.max(1, Number(counted[0]?.['n'] ?? 0));
  const findings: Finding[] = [];
  for (const f of features) {
    findings.push(
      ...(await auditFeature(runner, f, args.output, predictionTime, total, sampleSize)),
    );
  }
  return findings;
}
