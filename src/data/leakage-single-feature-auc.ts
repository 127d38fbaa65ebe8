/**
 * `leakage.single_feature_auc` (block): one feature alone predicts the target
 * almost perfectly, by rank AUC, learned group rates (AUC or η) or |Spearman ρ|.
 */
import type { Finding } from '../findings.js';
import { type SqlRunner, sqlIdent, sqlString } from '../sql.js';
import type { LeakageInput } from './leakage.js';
import { type Feature, num, numberSql, ROWS, round } from './leakage-rows.js';

export const DEFAULT_SINGLE_FEATURE_AUC_MAX = 0.95;
/** Equal-frequency bins a numeric feature is cut into before rates are learned on it. */
const BINS = 20;

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
export async function singleFeatureAuc(runner: SqlRunner, input: LeakageInput): Promise<Finding[]> {
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
