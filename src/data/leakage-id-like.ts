/**
 * `leakage.id_like` (warn): a row identifier used as a feature: mostly
 * distinct values, integral or rising with row order or event time.
 */
import type { Finding } from '../findings.js';
import { type SqlRunner, sqlIdent } from '../sql.js';
import type { LeakageInput } from './leakage.js';
import { type Feature, num, percent, ROWS, round } from './leakage-rows.js';

/** Distinct values per non-missing row at which a column looks like an identifier. */
const ID_DISTINCT_MIN = 0.95;
/**
 * A mostly distinct numeric column that rises (or falls) with row order or
 * event time in this share of its steps is a sequence number.
 */
const MONOTONIC_SHARE_MIN = 0.99;
const MONOTONIC_DISTINCT_MIN = 0.5;
/** Columns with fewer non-missing rows are not judged ID-like. */
const MIN_ROWS = 20;

/**
 * ID-like columns warn rather than block: an identifier is mostly useless
 * noise (a categorical one is unseen at test time; a numeric one splits rows
 * arbitrarily), and it does harm only when its values encode the outcome or
 * the time of the row. When it does predict the target, single_feature_auc
 * blocks it; when it does not, a person should still drop it, but need not be
 * stopped.
 */
export async function idLike(runner: SqlRunner, input: LeakageInput): Promise<Finding[]> {
  const columns = input.features.filter((f) => f.type !== 'timestamp');
  if (columns.length === 0) return [];
  const stats = (
    await runner.rows(
      `SELECT count(__event_time) AS timed, ${columns
        .map((f, i) => {
          const x = sqlIdent(f.name);
          const integral =
            f.type === 'numeric' ? `, coalesce(bool_and(${x} = round(${x})), false) AS i${i}` : '';
          return `count(${x}) AS n${i}, count(DISTINCT ${x}) AS d${i}${integral}`;
        })
        .join(', ')} FROM ${ROWS}`,
    )
  )[0]!;
  const numeric = columns.map((f, i) => ({ f, i })).filter(({ f }) => f.type === 'numeric');
  const timed = input.hasEventTime && num(stats['timed']) > 0;
  const steps = numeric.length === 0 ? {} : await monotonicSteps(runner, numeric, timed);
  const findings: Finding[] = [];
  for (const [i, f] of columns.entries()) {
    const rows = num(stats[`n${i}`]);
    const distinct = num(stats[`d${i}`]);
    if (rows < MIN_ROWS) continue;
    const ratio = distinct / rows;
    let reason: string | undefined;
    const evidence: Record<string, unknown> = { distinct, rows, distinctRatio: round(ratio) };
    if (f.type === 'categorical') {
      if (ratio >= ID_DISTINCT_MIN) reason = `${percent(ratio)} of its values are distinct`;
    } else {
      const integral = stats[`i${i}`] === true;
      evidence['integer'] = integral;
      const order = monotonic(steps, `r${i}`);
      const time = timed ? monotonic(steps, `t${i}`) : 0;
      if (integral && ratio >= ID_DISTINCT_MIN) {
        reason = `its values are integers and ${percent(ratio)} distinct`;
      } else if (ratio >= MONOTONIC_DISTINCT_MIN && Math.max(order, time) >= MONOTONIC_SHARE_MIN) {
        const withWhat = order >= time ? 'row order' : 'event time';
        evidence['monotonicWith'] = withWhat;
        evidence['monotonicShare'] = round(Math.max(order, time));
        reason = `it rises or falls with ${withWhat} in ${percent(Math.max(order, time))} of steps`;
      }
    }
    if (reason === undefined) continue;
    const examples = await runner.rows(
      `SELECT CAST(${sqlIdent(f.name)} AS VARCHAR) AS v FROM ${ROWS} WHERE ${sqlIdent(f.name)} IS NOT NULL ORDER BY __leak_row LIMIT 3`,
    );
    findings.push({
      check: 'leakage.id_like',
      column: f.name,
      severity: 'warn',
      message: `feature "${f.name}" looks like an identifier (${reason}): a model can only memorise it; exclude it from the features`,
      evidence: { ...evidence, examples: examples.map((e) => e['v']) },
    });
  }
  return findings;
}

/** Counts of rising and falling steps of each numeric column, by row order (`r`) and by event time (`t`). */
async function monotonicSteps(
  runner: SqlRunner,
  numeric: readonly { f: Feature; i: number }[],
  timed: boolean,
): Promise<Record<string, unknown>> {
  const diffs = numeric.flatMap(({ f, i }) => {
    const x = sqlIdent(f.name);
    return [
      `${x} - lag(${x}) OVER wr AS r${i}`,
      ...(timed ? [`${x} - lag(${x}) OVER wt AS t${i}`] : []),
    ];
  });
  const counts = numeric.flatMap(({ i }) =>
    (timed ? ['r', 't'] : ['r']).map(
      (w) =>
        `count(*) FILTER (WHERE ${w}${i} > 0) AS ${w}${i}_up, count(*) FILTER (WHERE ${w}${i} < 0) AS ${w}${i}_down`,
    ),
  );
  return (
    (
      await runner.rows(
        `SELECT ${counts.join(', ')} FROM (SELECT ${diffs.join(', ')} FROM ${ROWS}
         WINDOW wr AS (ORDER BY __leak_row), wt AS (ORDER BY __event_time NULLS LAST, __leak_row))`,
      )
    )[0] ?? {}
  );
}

/** The share of changing steps that go the majority's way (0 with too few steps). */
function monotonic(steps: Record<string, unknown>, key: string): number {
  const up = num(steps[`${key}_up`]);
  const down = num(steps[`${key}_down`]);
  return up + down >= MIN_ROWS ? Math.max(up, down) / (up + down) : 0;
}
