/**
 * Leakage checks (step 3): signs that a feature already knows the answer, or
 * that the split lets a model see its own test rows. Every check is DuckDB SQL
 * over the prepared `fw_dataset` view (features, `__target`, `__split`,
 * `__event_time`, `__entity`), so it reads every row without loading a Frame:
 *
 * - `leakage.single_feature_auc` (block): one feature alone predicts the target
 *   almost perfectly.
 * - `leakage.future_timestamp` (block): a timestamp feature lies after the
 *   row's event time, so it was recorded after the prediction would be made.
 * - `leakage.id_like` (warn): a row identifier used as a feature.
 * - `leakage.entity_overlap`: the same entity on both sides of a split (block
 *   for a random split grouped by entity, info for a time split).
 */
import type { Finding } from '../findings.js';
import type { Spec } from '../spec/index.js';
import { type SqlRunner, sqlIdent, sqlString } from '../sql.js';
import type { PreparedDataset, TargetKind } from './dataset.js';
import type { ColumnType } from './frame.js';

export interface LeakageInput {
  /** The view checked (default `fw_dataset`). */
  readonly view?: string;
  /** The features of the view, with their kinds. */
  readonly features: readonly { readonly name: string; readonly type: ColumnType }[];
  readonly targetKind: TargetKind;
  /** Multiclass: the classes scored one-vs-rest (default: every class in the data). */
  readonly classes?: readonly string[];
  readonly splitMethod: 'time' | 'random';
  /** Whether the spec declares an entity and an event time (`__entity`, `__event_time` are filled). */
  readonly hasEntity: boolean;
  readonly hasEventTime: boolean;
  /** The spec's `checks` section (`single_feature_auc_max`); undefined means the schema's default. */
  readonly checks?: Pick<NonNullable<Spec['checks']>, 'single_feature_auc_max'>;
}

export const DEFAULT_SINGLE_FEATURE_AUC_MAX = 0.95;
/** A timestamp feature after the event time in more than this share of rows blocks. */
const FUTURE_SHARE_MAX = 0.01;
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
/** Equal-frequency bins a numeric feature is cut into before rates are learned on it. */
const BINS = 20;
const EXAMPLES = 5;
const ROWS = 'fw_leakage_rows';

type Feature = LeakageInput['features'][number];

/**
 * The leakage input of a prepared dataset, with the spec's threshold.
 *
 * @example
 * const findings = await runLeakageChecks(session, leakageInput(prepared));
 */
export function leakageInput(prepared: PreparedDataset): LeakageInput {
  const { spec } = prepared;
  return {
    features: prepared.features.map((f) => ({ name: f.name, type: f.type })),
    targetKind: prepared.targetKind,
    ...(prepared.classes ? { classes: prepared.classes } : {}),
    splitMethod: spec.split.method,
    hasEntity: spec.entity !== undefined,
    hasEventTime: spec.event_time !== undefined,
    ...(spec.checks ? { checks: spec.checks } : {}),
  };
}

/**
 * Runs every leakage check over the view and returns their findings. The view
 * is materialised once (with its row order) so the checks do not recompute it.
 *
 * @example
 * const session = await DuckSession.open();
 * const prepared = await prepareDataset(session, loadSpec('examples/flights'));
 * const findings = await runLeakageChecks(session, leakageInput(prepared));
 * findings.filter((f) => f.severity === 'block'); // [] for the flights example
 */
export async function runLeakageChecks(runner: SqlRunner, input: LeakageInput): Promise<Finding[]> {
  await runner.run(
    `CREATE OR REPLACE TEMP TABLE ${ROWS} AS SELECT *, row_number() OVER () - 1 AS __leak_row FROM ${input.view ?? 'fw_dataset'}`,
  );
  try {
    return [
      ...(await singleFeatureAuc(runner, input)),
      ...(await futureTimestamps(runner, input)),
      ...(await idLike(runner, input)),
      ...(await entityOverlap(runner, input)),
    ];
  } finally {
    await runner.run(`DROP TABLE IF EXISTS ${ROWS}`);
  }
}

/** DuckDB returns NULL for 0/0 and JSON strings for big integers: both become numbers here. */
function num(value: unknown): number {
  return value === null || value === undefined ? Number.NaN : Number(value);
}

const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;
const percent = (x: number) => `${(100 * x).toFixed(1)}%`;

/** A numeric or timestamp feature as a DOUBLE (timestamps in epoch ms). */
function numberSql(f: Feature): string {
  return f.type === 'timestamp'
    ? `CAST(epoch_ms(${sqlIdent(f.name)}) AS DOUBLE)`
    : sqlIdent(f.name);
}

// ---------------------------------------------------------------------------
// leakage.single_feature_auc

interface Score {
  readonly feature: string;
  /** AUC, |Spearman ρ| or η, on the scale the threshold is read on. */
  readonly value: number;
  readonly measure: 'auc' | 'spearman' | 'eta';
  readonly method: string;
  readonly rows: number;
  readonly extra: Record<string, unknown>;
}

/**
 * Scores each feature alone against the target and blocks those at or above
 * the threshold:
 * - binary: numeric (and timestamp) features by the rank AUC of their values,
 *   max(AUC, 1 − AUC); every feature also by the AUC of category rates learned
 *   on train and measured on validation + test (numerics cut into 20
 *   equal-frequency bins, a missing value its own group), so a
 *   high-cardinality column cannot score in-sample and a non-monotonic or
 *   missingness leak is still seen;
 * - multiclass: the learned rates one-vs-rest, macro-averaged over classes;
 * - regression: numeric features by |Spearman ρ| (ranks, ties averaged), every
 *   feature by η = √R² of train means per category (or bin) on validation +
 *   test. Both are correlations, read against the same threshold.
 */
async function singleFeatureAuc(runner: SqlRunner, input: LeakageInput): Promise<Finding[]> {
  if (input.features.length === 0) return [];
  const threshold = input.checks?.single_feature_auc_max ?? DEFAULT_SINGLE_FEATURE_AUC_MAX;
  const numeric = input.features.filter((f) => f.type !== 'categorical');
  const values = await groupValues(runner, input.features);
  let scores: Score[];
  if (input.targetKind === 'numeric') {
    scores = [...(await spearman(runner, numeric)), ...(await learnedEta(runner, values))];
  } else {
    const binary = input.targetKind === 'binary';
    const classes = binary ? ['positive'] : (input.classes ?? (await targetClasses(runner)));
    const cls = binary
      ? `CASE WHEN __target = 1 THEN 'positive' ELSE 'negative' END`
      : 'CAST(__target AS VARCHAR)';
    scores = [
      ...(binary ? await rankAuc(runner, numeric) : []),
      ...(await learnedAuc(runner, values, cls, classes)),
    ];
  }
  const best = new Map<string, Score>();
  for (const s of scores) {
    if (!(s.value >= (best.get(s.feature)?.value ?? Number.NEGATIVE_INFINITY))) continue;
    best.set(s.feature, s);
  }
  const findings: Finding[] = [];
  for (const f of input.features) {
    const s = best.get(f.name);
    if (!s || !(s.value >= threshold)) continue;
    const label = s.measure === 'auc' ? 'AUC' : s.measure === 'spearman' ? '|Spearman ρ|' : 'η';
    findings.push({
      check: 'leakage.single_feature_auc',
      column: f.name,
      severity: 'block',
      message: `feature "${f.name}" alone predicts the target with ${label} ${s.value.toFixed(3)} (threshold ${threshold}): it probably carries the answer; drop it or acknowledge why it is known at prediction time`,
      evidence: {
        [s.measure]: round(s.value),
        threshold,
        rows: s.rows,
        method: s.method,
        ...s.extra,
      },
    });
  }
  return findings;
}

async function targetClasses(runner: SqlRunner): Promise<string[]> {
  const rows = await runner.rows(
    `SELECT DISTINCT CAST(__target AS VARCHAR) AS c FROM ${ROWS} WHERE __target IS NOT NULL ORDER BY 1`,
  );
  return rows.map((r) => String(r['c']));
}

/**
 * Per feature, an expression giving its group as text: the category for a
 * categorical, the bin (among equal-frequency edges over all rows) for a
 * number; NULL for a missing value. Cutting points use no label, so taking
 * them over every split leaks nothing.
 */
async function groupValues(
  runner: SqlRunner,
  features: readonly Feature[],
): Promise<{ name: string; sql: string }[]> {
  const numeric = features.filter((f) => f.type !== 'categorical');
  const edges = new Map<string, number[]>();
  if (numeric.length > 0) {
    const probs = Array.from({ length: BINS - 1 }, (_, i) => (i + 1) / BINS).join(', ');
    const row = (
      await runner.rows(
        `SELECT ${numeric.map((f, i) => `quantile_disc(${numberSql(f)}, [${probs}]) AS e${i}`).join(', ')} FROM ${ROWS}`,
      )
    )[0];
    numeric.forEach((f, i) => {
      const list = (row?.[`e${i}`] as unknown[] | null) ?? [];
      edges.set(f.name, [...new Set(list.map(Number).filter(Number.isFinite))]);
    });
  }
  return features.map((f) => {
    if (f.type === 'categorical') return { name: f.name, sql: sqlIdent(f.name) };
    const x = numberSql(f);
    const cuts = edges.get(f.name) ?? [];
    const bin =
      cuts.length === 0 ? '0' : cuts.map((e) => `CAST(${x} > ${e} AS INTEGER)`).join(' + ');
    return {
      name: f.name,
      sql: `CASE WHEN ${x} IS NULL THEN NULL ELSE CAST(${bin} AS VARCHAR) END`,
    };
  });
}

/**
 * Mann–Whitney AUC per (feature, cls) from a relation (feature, cls, score,
 * pos, neg): positives above negatives, ties counting one half, computed on
 * the distinct scores so it costs one sort of distinct values, not of rows.
 */
async function groupedAuc(
  runner: SqlRunner,
  source: string,
): Promise<{ feature: string; cls: string; auc: number; rows: number; positives: number }[]> {
  const rows = await runner.rows(`
    WITH g AS (SELECT feature, cls, score, sum(pos) AS pos, sum(neg) AS neg FROM (${source}) GROUP BY ALL),
    r AS (
      SELECT *, coalesce(sum(neg) OVER (PARTITION BY feature, cls ORDER BY score
        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS below
      FROM g
    )
    SELECT feature, cls, sum(pos * (below + 0.5 * neg)) AS u, sum(pos) AS pos, sum(neg) AS neg
    FROM r GROUP BY ALL`);
  return rows.map((r) => {
    const pos = num(r['pos']);
    const neg = num(r['neg']);
    return {
      feature: String(r['feature']),
      cls: String(r['cls']),
      auc: pos > 0 && neg > 0 ? num(r['u']) / (pos * neg) : Number.NaN,
      rows: pos + neg,
      positives: pos,
    };
  });
}

const unpivotNames = (names: readonly string[]) => names.map(sqlIdent).join(', ');

/** Binary: rank AUC of each numeric feature's values over every labelled row. */
async function rankAuc(runner: SqlRunner, numeric: readonly Feature[]): Promise<Score[]> {
  if (numeric.length === 0) return [];
  const cols = numeric.map((f) => `${numberSql(f)} AS ${sqlIdent(f.name)}`).join(', ');
  const source = `SELECT feature, 'positive' AS cls, v AS score, __target AS pos, 1 - __target AS neg
    FROM (SELECT ${cols}, __target FROM ${ROWS} WHERE __target IS NOT NULL)
    UNPIVOT (v FOR feature IN (${unpivotNames(numeric.map((f) => f.name))}))`;
  return (await groupedAuc(runner, source))
    .filter((r) => Number.isFinite(r.auc))
    .map((r) => ({
      feature: r.feature,
      value: Math.max(r.auc, 1 - r.auc),
      measure: 'auc',
      method: 'rank of the values over labelled rows',
      rows: r.rows,
      extra: {
        positives: r.positives,
        direction: r.auc >= 0.5 ? 'higher values → positive' : 'lower values → positive',
      },
    }));
}

/** Rows of (feature, v, cls-or-y, s) for every labelled row in a split, missing values kept. */
function unpivotGroups(values: readonly { name: string; sql: string }[], label: string): string {
  const cols = values.map((v) => `${v.sql} AS ${sqlIdent(v.name)}`).join(', ');
  return `SELECT feature, v, label, s
    FROM (SELECT ${cols}, ${label} AS label, __split AS s FROM ${ROWS}
          WHERE __target IS NOT NULL AND __split IS NOT NULL)
    UNPIVOT INCLUDE NULLS (v FOR feature IN (${unpivotNames(values.map((v) => v.name))}))`;
}

/**
 * Classification: each group's class rate learned on train (smoothed toward
 * the train prior with the weight of one row; unseen groups get the prior),
 * scored one-vs-rest on validation + test. Counted per group, so the AUC
 * needs no pass over rows per class.
 */
async function learnedAuc(
  runner: SqlRunner,
  values: readonly { name: string; sql: string }[],
  cls: string,
  classes: readonly string[],
): Promise<Score[]> {
  if (values.length === 0 || classes.length === 0) return [];
  const source = `
    WITH u AS (${unpivotGroups(values, cls)}),
    counts AS (
      SELECT feature, v, label, count(*) FILTER (WHERE s = 'train') AS tn,
        count(*) FILTER (WHERE s <> 'train') AS en
      FROM u GROUP BY ALL
    ),
    totals AS (SELECT feature, v, sum(tn) AS tn, sum(en) AS en FROM counts GROUP BY ALL),
    prior AS (
      SELECT label, count(*) / sum(count(*)) OVER () AS p
      FROM (SELECT ${cls} AS label FROM ${ROWS} WHERE __split = 'train' AND __target IS NOT NULL)
      GROUP BY label
    )
    SELECT t.feature, p.label AS cls, (coalesce(c.tn, 0) + p.p) / (t.tn + 1) AS score,
      coalesce(c.en, 0) AS pos, t.en - coalesce(c.en, 0) AS neg
    FROM totals t CROSS JOIN prior p
    LEFT JOIN counts c ON c.feature = t.feature AND c.v IS NOT DISTINCT FROM t.v AND c.label = p.label
    WHERE t.en > 0 AND p.label IN (${classes.map(sqlString).join(', ')})`;
  const byFeature = new Map<
    string,
    { auc: number[]; perClass: Record<string, number>; rows: number }
  >();
  for (const r of await groupedAuc(runner, source)) {
    if (!Number.isFinite(r.auc)) continue;
    const entry = byFeature.get(r.feature) ?? { auc: [], perClass: {}, rows: r.rows };
    entry.auc.push(r.auc);
    entry.perClass[r.cls] = round(r.auc);
    byFeature.set(r.feature, entry);
  }
  const binary = classes.length === 1 && classes[0] === 'positive';
  return [...byFeature].map(([feature, e]) => ({
    feature,
    value: e.auc.reduce((s, a) => s + a, 0) / e.auc.length,
    measure: 'auc',
    method: `group rates learned on train, scored on validation + test${binary ? '' : ' (one-vs-rest, macro average)'}`,
    rows: e.rows,
    extra: binary ? {} : { perClass: e.perClass },
  }));
}

/** Regression: |Spearman ρ| of each numeric feature with the target (average ranks for ties). */
async function spearman(runner: SqlRunner, numeric: readonly Feature[]): Promise<Score[]> {
  if (numeric.length === 0) return [];
  const cols = numeric.map((f) => `${numberSql(f)} AS ${sqlIdent(f.name)}`).join(', ');
  const rows = await runner.rows(`
    WITH u AS (
      SELECT feature, v, y FROM (SELECT ${cols}, __target AS y FROM ${ROWS} WHERE __target IS NOT NULL)
      UNPIVOT (v FOR feature IN (${unpivotNames(numeric.map((f) => f.name))}))
    ),
    r AS (
      SELECT feature,
        rank() OVER (PARTITION BY feature ORDER BY v) + (count(*) OVER (PARTITION BY feature, v) - 1) / 2 AS rv,
        rank() OVER (PARTITION BY feature ORDER BY y) + (count(*) OVER (PARTITION BY feature, y) - 1) / 2 AS ry
      FROM u
    )
    SELECT feature, corr(rv, ry) AS rho, count(*) AS n FROM r GROUP BY feature`);
  return rows
    .filter((r) => Number.isFinite(num(r['rho'])))
    .map((r) => {
      const rho = num(r['rho']);
      return {
        feature: String(r['feature']),
        value: Math.abs(rho),
        measure: 'spearman',
        method: 'Spearman rank correlation over labelled rows',
        rows: num(r['n']),
        extra: { spearman: round(rho), direction: rho >= 0 ? 'increasing' : 'decreasing' },
      };
    });
}

/**
 * Regression: η = √R² of the train mean per group (smoothed toward the train
 * mean with the weight of one row) on validation + test. The target is
 * centred on the train mean first, so the sums of squares do not cancel.
 */
async function learnedEta(
  runner: SqlRunner,
  values: readonly { name: string; sql: string }[],
): Promise<Score[]> {
  if (values.length === 0) return [];
  const mean = `(SELECT avg(__target) FROM ${ROWS} WHERE __split = 'train')`;
  const rows = await runner.rows(`
    WITH u AS (${unpivotGroups(values, `__target - ${mean}`)}),
    g AS (
      SELECT feature, v,
        coalesce(sum(label) FILTER (WHERE s = 'train'), 0) / (count(*) FILTER (WHERE s = 'train') + 1) AS fit,
        sum(label) FILTER (WHERE s <> 'train') AS sy, sum(label * label) FILTER (WHERE s <> 'train') AS syy,
        count(*) FILTER (WHERE s <> 'train') AS n
      FROM u GROUP BY ALL
    )
    SELECT feature, sum(syy - 2 * fit * sy + n * fit * fit) AS sse, sum(syy) AS syy, sum(sy) AS sy,
      sum(n) AS n
    FROM g WHERE n > 0 GROUP BY feature`);
  return rows.flatMap((r): Score[] => {
    const n = num(r['n']);
    const sst = num(r['syy']) - num(r['sy']) ** 2 / n;
    if (!(n > 1 && sst > 0)) return [];
    const r2 = 1 - num(r['sse']) / sst;
    return [
      {
        feature: String(r['feature']),
        value: Math.sqrt(Math.max(r2, 0)),
        measure: 'eta',
        method: 'group means learned on train, R² on validation + test',
        rows: n,
        extra: { r2: round(r2) },
      },
    ];
  });
}

// ---------------------------------------------------------------------------
// leakage.future_timestamp

/**
 * A timestamp later than the event time. When the event time is a bare date
 * (midnight), a value later on the same day is not counted: the event's hour
 * is unknown, so it may well precede the value.
 */
function afterSql(f: Feature): string {
  const x = sqlIdent(f.name);
  return `(${x} > __event_time AND NOT (__event_time = date_trunc('day', __event_time) AND CAST(${x} AS DATE) = CAST(__event_time AS DATE)))`;
}

async function futureTimestamps(runner: SqlRunner, input: LeakageInput): Promise<Finding[]> {
  const stamps = input.features.filter((f) => f.type === 'timestamp');
  if (stamps.length === 0 || !input.hasEventTime) return [];
  const selects = stamps.map((f, i) => {
    const x = sqlIdent(f.name);
    return [
      `count(*) FILTER (WHERE ${x} IS NOT NULL AND __event_time IS NOT NULL) AS c${i}`,
      `count(*) FILTER (WHERE ${afterSql(f)}) AS a${i}`,
      `median(epoch_ms(${x}) - epoch_ms(__event_time)) FILTER (WHERE ${afterSql(f)}) AS l${i}`,
    ].join(', ');
  });
  const row = (await runner.rows(`SELECT ${selects.join(', ')} FROM ${ROWS}`))[0] ?? {};
  const findings: Finding[] = [];
  for (const [i, f] of stamps.entries()) {
    const compared = num(row[`c${i}`]);
    const after = num(row[`a${i}`]);
    if (!(compared > 0)) continue;
    const share = after / compared;
    if (!(share > FUTURE_SHARE_MAX)) continue;
    const x = sqlIdent(f.name);
    const examples = await runner.rows(
      `SELECT __leak_row AS row, CAST(${x} AS VARCHAR) AS value, CAST(__event_time AS VARCHAR) AS event_time
       FROM ${ROWS} WHERE ${afterSql(f)} ORDER BY __leak_row LIMIT ${EXAMPLES}`,
    );
    const leadHours = num(row[`l${i}`]) / 3_600_000;
    findings.push({
      check: 'leakage.future_timestamp',
      column: f.name,
      severity: 'block',
      message: `timestamp feature "${f.name}" is later than the row's event time in ${percent(share)} of rows (${after} of ${compared}; median lead ${leadHours.toFixed(1)} h): it was recorded after the prediction would be made`,
      evidence: {
        share: round(share),
        rows: after,
        compared,
        medianLeadHours: round(leadHours, 2),
        examples: examples.map((e) => ({
          row: num(e['row']),
          value: e['value'],
          eventTime: e['event_time'],
        })),
      },
    });
  }
  return findings;
}

// ---------------------------------------------------------------------------
// leakage.id_like

/**
 * ID-like columns warn rather than block: an identifier is mostly useless
 * noise (a categorical one is unseen at test time; a numeric one splits rows
 * arbitrarily), and it does harm only when its values encode the outcome or
 * the time of the row. When it does predict the target, single_feature_auc
 * blocks it; when it does not, a person should still drop it, but need not be
 * stopped.
 */
async function idLike(runner: SqlRunner, input: LeakageInput): Promise<Finding[]> {
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

// ---------------------------------------------------------------------------
// leakage.entity_overlap

/**
 * Entities on both sides of the split. A random split grouped by entity must
 * have none (block: the model would be tested on entities it trained on); a
 * time split has them by design (info, so a reader knows how much of the test
 * is about familiar entities).
 */
async function entityOverlap(runner: SqlRunner, input: LeakageInput): Promise<Finding[]> {
  if (!input.hasEntity) return [];
  const sides = `SELECT __entity, bool_or(__split = 'train') AS tr, bool_or(__split = 'validation') AS va,
      bool_or(__split = 'test') AS te
    FROM ${ROWS} WHERE __entity IS NOT NULL AND __split IS NOT NULL GROUP BY __entity`;
  const row = (
    await runner.rows(`SELECT count(*) FILTER (WHERE tr AND te) AS train_test,
        count(*) FILTER (WHERE tr AND va) AS train_validation, count(*) FILTER (WHERE te) AS test,
        count(*) FILTER (WHERE va) AS validation, count(*) FILTER (WHERE tr) AS train
      FROM (${sides})`)
  )[0]!;
  const trainTest = num(row['train_test']);
  const trainValidation = num(row['train_validation']);
  if (trainTest + trainValidation === 0) return [];
  const examples = (
    await runner.rows(
      `SELECT __entity AS e FROM (${sides}) WHERE tr AND (te OR va) ORDER BY __entity LIMIT ${EXAMPLES}`,
    )
  ).map((r) => String(r['e']));
  const testEntities = num(row['test']);
  const evidence = {
    trainTest,
    trainValidation,
    trainEntities: num(row['train']),
    validationEntities: num(row['validation']),
    testEntities,
    testShareSeenInTrain: round(trainTest / Math.max(testEntities, 1)),
    examples,
  };
  if (input.splitMethod === 'random') {
    return [
      {
        check: 'leakage.entity_overlap',
        severity: 'block',
        message: `${trainTest} entities are in both train and test (${trainValidation} in train and validation), although the random split is grouped by entity: the model is tested on entities it trained on (e.g. ${examples.slice(0, 3).join(', ')})`,
        evidence,
      },
    ];
  }
  return [
    {
      check: 'leakage.entity_overlap',
      severity: 'info',
      message: `${percent(evidence.testShareSeenInTrain)} of test entities (${trainTest} of ${testEntities}) also appear in train, as expected for a time split: test scores describe entities the model has seen before`,
      evidence,
    },
  ];
}
