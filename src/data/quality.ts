/**
 * Quality checks (step 3): problems in the prepared rows themselves, found by
 * DuckDB SQL over the `fw_dataset` view (one column per feature, `__target`,
 * `__split`, `__event_time`, `__entity`) and its profile. Each check has a
 * stable id:
 *
 * - `quality.missing` (warn): a feature missing in more than `missing_max` of rows.
 * - `quality.constant` (warn): a feature with a single non-missing value.
 * - `quality.duplicate_rows` (warn): rows repeating another on every feature and the target.
 * - `quality.duplicate_keys` (warn): entity + event time not unique (when both are declared).
 * - `quality.range` / `quality.domain` (block): values outside `checks.ranges` / `checks.domains`.
 * - `quality.single_class` (block) and `quality.imbalance` (warn): the target's classes.
 * - `quality.conflicting_labels` (warn): identical features with different labels.
 * - `quality.split_drift` (warn): a feature shifting from train to validation or test.
 */
import type { Finding } from '../findings.js';
import { type Spec, SpecSchema } from '../spec/index.js';
import { type SqlRunner, sqlIdent, sqlString } from '../sql.js';
import type { TargetKind } from './dataset.js';
import type { DriftResult } from './drift.js';
import type { ColumnType } from './frame.js';
import { type ColumnProfile, type Profile, type ProfileColumn, profileView } from './profile.js';
import { binWithProfileBy, columnDrift } from './profile-bins.js';
import { isNumericProfile } from './profile-values.js';

type Checks = NonNullable<Spec['checks']>;

/** `checks` with every default of the spec schema, for a spec that has no `checks` section. */
const DEFAULT_CHECKS: Checks = SpecSchema.shape.checks.unwrap().parse({});

export interface QualityInput {
  /** The view checked (default `fw_dataset`). */
  readonly view?: string;
  readonly features: readonly { readonly name: string; readonly type: ColumnType }[];
  readonly targetKind: TargetKind;
  /** The target's column in the spec, for messages (default "the target"). */
  readonly targetName?: string;
  /** Whether the spec declares an entity and an event time (`__entity`, `__event_time` are filled). */
  readonly hasEntity: boolean;
  readonly hasEventTime: boolean;
  /** The spec's `checks` section; undefined means the schema's defaults. */
  readonly checks?: Spec['checks'];
  /** A profile of the view's features (e.g. the snapshot's); profiled here when absent. */
  readonly profile?: Profile;
}

/** Example values and rows shown in a finding. */
const EXAMPLES = 3;
const SPLITS_COMPARED = ['validation', 'test'] as const;

const count = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, word: string) => `${count(n)} ${word}${n === 1 ? '' : 's'}`;
const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
/** A threshold as a short percentage: 0.5 → "50%", 0.025 → "2.5%". */
const threshold = (x: number) => `${Number((100 * x).toPrecision(6))}%`;
const round = (x: number, digits = 4) => Number(x.toPrecision(digits));

/** A value as it reads in a message: strings quoted, numbers plain. */
function show(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  }
  return value === null || value === undefined ? 'missing' : String(value);
}

function showRow(row: Record<string, unknown>): string {
  const entries = Object.entries(row);
  const shown = entries.slice(0, 6).map(([k, v]) => `${k}=${show(v)}`);
  return entries.length > 6 ? `${shown.join(', ')}, …` : shown.join(', ');
}

/** A JSON-safe number (DuckDB gives big integers as strings, NULL for empty aggregates). */
function num(value: unknown): number {
  return value === null || value === undefined ? 0 : Number(value);
}

/** The SQL reading the target as a class label: binary as "0"/"1", categorical as text. */
function labelSql(kind: TargetKind): string {
  return kind === 'binary'
    ? "CASE WHEN __target = 1 THEN '1' WHEN __target = 0 THEN '0' ELSE CAST(__target AS VARCHAR) END"
    : 'CAST(__target AS VARCHAR)';
}

/** The target as shown in examples: a class label, or a number for regression. */
function targetSql(kind: TargetKind): string {
  return kind === 'numeric' ? 'CAST(__target AS DOUBLE)' : labelSql(kind);
}

/** A struct literal `{'name': "name", …}`, so a row comes back as an object keyed by column. */
function structSql(names: readonly string[], label?: { name: string; sql: string }): string {
  const fields = names.map((n) => `${sqlString(n)}: ${sqlIdent(n)}`);
  if (label) fields.push(`${sqlString(label.name)}: ${label.sql}`);
  return `{${fields.join(', ')}}`;
}

/**
 * Runs the quality checks and returns their findings (none when the data is
 * clean), in a handful of aggregate passes over the view.
 *
 * @example
 * const findings = await runQualityChecks(session, {
 *   features: prepared.features,
 *   targetKind: prepared.targetKind,
 *   hasEntity: spec.entity !== undefined,
 *   hasEventTime: spec.event_time !== undefined,
 *   checks: spec.checks,
 * });
 */
export async function runQualityChecks(runner: SqlRunner, input: QualityInput): Promise<Finding[]> {
  const view = input.view ?? 'fw_dataset';
  const checks = input.checks ?? DEFAULT_CHECKS;
  const profile = await featureProfile(runner, view, input);
  const byName = new Map(profile.columns.map((c) => [c.name, c]));
  const columns = input.features.map((f) => byName.get(f.name)!);
  const unique = uniqueRows(profile, columns);
  const features = input.features.length;
  return [
    ...missing(columns, checks),
    ...constant(columns),
    ...(unique || features === 0 ? [] : await duplicateRows(runner, view, input)),
    ...(unique || features === 0 ? [] : await conflictingLabels(runner, view, input)),
    ...(await duplicateKeys(runner, view, input)),
    ...(await rangesAndDomains(runner, view, input, checks)),
    ...(await classes(runner, view, input, checks)),
    ...(await splitDrift(runner, view, profile, columns, checks)),
  ];
}

/** The given profile when it covers every feature, else a fresh one of the features. */
async function featureProfile(
  runner: SqlRunner,
  view: string,
  input: QualityInput,
): Promise<Profile> {
  const given = input.profile;
  if (given && input.features.every((f) => given.columns.some((c) => c.name === f.name))) {
    return given;
  }
  const columns: ProfileColumn[] = input.features.map((f) => ({ name: f.name, type: f.type }));
  return profileView(runner, view, columns);
}

function targetLabel(input: QualityInput): string {
  return input.targetName === undefined ? 'the target' : `the target "${input.targetName}"`;
}

function missing(columns: readonly ColumnProfile[], checks: Checks): Finding[] {
  return columns
    .filter((c) => c.count > 0 && c.missingRate > checks.missing_max)
    .map((c) => ({
      check: 'quality.missing',
      column: c.name,
      severity: 'warn',
      message: `column "${c.name}" is missing in ${percent(c.missingRate)} of rows (${count(c.missing)} of ${count(c.count)}; threshold ${threshold(checks.missing_max)})`,
      evidence: {
        missing: c.missing,
        rows: c.count,
        rate: round(c.missingRate),
        threshold: checks.missing_max,
      },
    }));
}

function constant(columns: readonly ColumnProfile[]): Finding[] {
  const out: Finding[] = [];
  for (const c of columns) {
    const present = c.count - c.missing;
    if (present === 0 || c.distinct !== 1) continue;
    const value = isNumericProfile(c)
      ? c.type === 'timestamp' && c.min !== null
        ? new Date(c.min).toISOString()
        : c.min
      : c.top[0]?.value;
    out.push({
      check: 'quality.constant',
      column: c.name,
      severity: 'warn',
      message: `column "${c.name}" is constant: all ${count(present)} non-missing values are ${show(value)}${c.missing > 0 ? ` (${count(c.missing)} missing)` : ''}; it cannot inform a model`,
      evidence: { value, rows: present, missing: c.missing },
    });
  }
  return out;
}

/** Whether some feature differs on every row, so no two rows can share all their features. */
function uniqueRows(profile: Profile, columns: readonly ColumnProfile[]): boolean {
  return (
    profile.where === undefined &&
    columns.some((c) => c.count > 0 && c.missing === 0 && c.distinct === c.count)
  );
}

// Examples are the maxima of structs led by a count, so ties resolve the same way every run.

/** `quality.duplicate_rows`: one aggregation on features + target. */
async function duplicateRows(
  runner: SqlRunner,
  view: string,
  input: QualityInput,
): Promise<Finding[]> {
  const names = input.features.map((f) => f.name);
  const row = (
    await runner.rows(`
      SELECT sum(n) AS total, coalesce(sum(n - 1) FILTER (WHERE n > 1), 0) AS duplicates,
        count(*) FILTER (WHERE n > 1) AS repeated,
        max({'copies': n, 'row': ${structSql(names)}, 'target': ${targetSql(input.targetKind)}})
          FILTER (WHERE n > 1) AS example
      FROM (SELECT ${names.map(sqlIdent).join(', ')}, __target, count(*) AS n FROM ${sqlIdent(view)} GROUP BY ALL)`)
  )[0];
  const duplicates = num(row?.['duplicates']);
  if (!row || duplicates === 0) return [];
  const total = num(row['total']);
  const { copies, ...example } = row['example'] as {
    copies: unknown;
    row: Record<string, unknown>;
    target: unknown;
  };
  return [
    {
      check: 'quality.duplicate_rows',
      severity: 'warn',
      message: `${count(duplicates)} rows (${percent(duplicates / total)}) repeat another row on every feature and the target; the most repeated (${showRow(example.row)}) appears ${count(num(copies))} times`,
      evidence: {
        duplicateRows: duplicates,
        distinctRowsRepeated: num(row['repeated']),
        rows: total,
        share: round(duplicates / total),
        example: { ...example, copies: num(copies) },
      },
    },
  ];
}

/**
 * `quality.conflicting_labels`: one aggregation on the features; a group
 * conflicts when its smallest and largest label differ.
 */
async function conflictingLabels(
  runner: SqlRunner,
  view: string,
  input: QualityInput,
): Promise<Finding[]> {
  if (input.targetKind === 'numeric') return [];
  const names = input.features.map((f) => f.name);
  const row = (
    await runner.rows(`
      SELECT sum(n) AS total, coalesce(sum(labelled) FILTER (WHERE lo <> hi), 0) AS rows,
        count(*) FILTER (WHERE lo <> hi) AS groups,
        max({'labelled': labelled, 'row': ${structSql(names)}}) FILTER (WHERE lo <> hi) AS example
      FROM (
        SELECT ${names.map(sqlIdent).join(', ')}, count(*) AS n, count(__target) AS labelled,
          min(__target) AS lo, max(__target) AS hi
        FROM ${sqlIdent(view)} GROUP BY ALL
      )`)
  )[0];
  const rows = num(row?.['rows']);
  if (!row || rows === 0) return [];
  const total = num(row['total']);
  const groups = num(row['groups']);
  const example = (row['example'] as { row: Record<string, unknown> }).row;
  const labels = await exampleLabels(runner, view, input, example);
  const shown = labels.map((l) => `${show(l.label)} ×${count(l.rows)}`).join(', ');
  return [
    {
      check: 'quality.conflicting_labels',
      severity: 'warn',
      message: `${count(rows)} labelled rows (${percent(rows / total)}) in ${plural(groups, 'group')} share every feature value with rows of another label; e.g. ${showRow(example)} has labels ${shown}`,
      evidence: {
        rows,
        groups,
        share: round(rows / total),
        example: { features: example, labels },
      },
    },
  ];
}

/** The labels (with their row counts) of the rows whose features equal `example`. */
async function exampleLabels(
  runner: SqlRunner,
  view: string,
  input: QualityInput,
  example: Record<string, unknown>,
): Promise<{ label: string; rows: number }[]> {
  const SQL_TYPE = { numeric: 'DOUBLE', categorical: 'VARCHAR', timestamp: 'TIMESTAMP' } as const;
  const conditions = input.features.map((f) => {
    const value = example[f.name];
    const literal =
      value === null || value === undefined
        ? 'NULL'
        : `CAST(${sqlString(String(value))} AS ${SQL_TYPE[f.type]})`;
    return `${sqlIdent(f.name)} IS NOT DISTINCT FROM ${literal}`;
  });
  const rows = await runner.rows(
    `SELECT ${labelSql(input.targetKind)} AS label, count(*) AS n FROM ${sqlIdent(view)} WHERE __target IS NOT NULL AND ${conditions.join(' AND ')} GROUP BY 1 ORDER BY n DESC, label`,
  );
  return rows.map((r) => ({ label: String(r['label']), rows: num(r['n']) }));
}

async function duplicateKeys(
  runner: SqlRunner,
  view: string,
  input: QualityInput,
): Promise<Finding[]> {
  if (!input.hasEntity || !input.hasEventTime) return [];
  const row = (
    await runner.rows(`
      SELECT count(*) AS keys, sum(n) AS rows, max(n) AS copies,
        max({'rows': n, 'entity': __entity, 'event_time': CAST(__event_time AS VARCHAR)}) AS example
      FROM (
        SELECT __entity, __event_time, count(*) AS n FROM ${sqlIdent(view)}
        WHERE __entity IS NOT NULL AND __event_time IS NOT NULL
        GROUP BY ALL HAVING count(*) > 1
      )`)
  )[0];
  const keys = num(row?.['keys']);
  if (!row || keys === 0) return [];
  const example = row['example'] as { rows: unknown; entity: string; event_time: string };
  const rows = num(row['rows']);
  return [
    {
      check: 'quality.duplicate_keys',
      severity: 'warn',
      message: `${count(rows)} rows share their entity and event time with another row (${plural(keys, 'key')}); e.g. entity ${show(example.entity)} at ${example.event_time} appears ${count(num(row['copies']))} times`,
      evidence: { rows, keys, example: { ...example, rows: num(example.rows) } },
    },
  ];
}

interface Declared {
  readonly name: string;
  /** The column in the view: the feature itself or `__target`. */
  readonly sql: string;
  readonly type: ColumnType | undefined;
}

/** Where a column named in `checks.ranges` / `checks.domains` lives in the view. */
function locate(name: string, input: QualityInput): Declared {
  const feature = input.features.find((f) => f.name === name);
  if (feature) return { name, sql: sqlIdent(name), type: feature.type };
  if (name === input.targetName) {
    const type = input.targetKind === 'categorical' ? 'categorical' : 'numeric';
    return {
      name,
      sql: input.targetKind === 'categorical' ? labelSql('categorical') : '__target',
      type,
    };
  }
  return { name, sql: '', type: undefined };
}

/**
 * `quality.range` and `quality.domain`: one aggregate pass counts the values
 * outside every declared range and domain; example rows are then read only
 * for the columns that fail.
 */
async function rangesAndDomains(
  runner: SqlRunner,
  view: string,
  input: QualityInput,
  checks: Checks,
): Promise<Finding[]> {
  const out: Finding[] = [];
  const tests: {
    check: 'quality.range' | 'quality.domain';
    column: Declared;
    bad: string;
    rule: string;
    bounds: Record<string, unknown>;
  }[] = [];
  for (const [name, range] of Object.entries(checks.ranges ?? {})) {
    const column = locate(name, input);
    if (column.type !== 'numeric') {
      out.push(unchecked('quality.range', name, column, 'a numeric feature or target'));
      continue;
    }
    const sides = [
      range.min !== undefined ? `${column.sql} < ${range.min}` : undefined,
      range.max !== undefined ? `${column.sql} > ${range.max}` : undefined,
    ].filter((s) => s !== undefined);
    tests.push({
      check: 'quality.range',
      column,
      bad: `(${sides.join(' OR ')})`,
      rule:
        range.min === undefined
          ? `its declared maximum ${range.max}`
          : range.max === undefined
            ? `its declared minimum ${range.min}`
            : `its declared range [${range.min}, ${range.max}]`,
      bounds: { min: range.min ?? null, max: range.max ?? null },
    });
  }
  for (const [name, domain] of Object.entries(checks.domains ?? {})) {
    const column = locate(name, input);
    if (column.type !== 'categorical') {
      out.push(unchecked('quality.domain', name, column, 'a categorical feature or target'));
      continue;
    }
    const shown = domain.slice(0, 10).map(show).join(', ');
    tests.push({
      check: 'quality.domain',
      column,
      bad: `(${column.sql} NOT IN (${domain.map(sqlString).join(', ')}))`,
      rule: `its declared domain (${shown}${domain.length > 10 ? ', …' : ''})`,
      bounds: { domain },
    });
  }
  if (tests.length === 0) return out;
  const parts = tests.flatMap((t, i) => [
    `count(${t.column.sql}) AS present${i}`,
    `count(*) FILTER (WHERE ${t.bad}) AS bad${i}`,
  ]);
  const counts = (await runner.rows(`SELECT ${parts.join(', ')} FROM ${sqlIdent(view)}`))[0] ?? {};
  for (const [i, t] of tests.entries()) {
    const bad = num(counts[`bad${i}`]);
    if (bad === 0) continue;
    const present = num(counts[`present${i}`]);
    const values = await runner.rows(
      `SELECT ${t.column.sql} AS value, count(*) AS n FROM ${sqlIdent(view)} WHERE ${t.bad} GROUP BY 1 ORDER BY n DESC, value LIMIT ${EXAMPLES}`,
    );
    const features = input.features.map((f) => f.name);
    const rows = await runner.rows(
      `SELECT ${structSql(features, { name: input.targetName ?? '__target', sql: targetSql(input.targetKind) })} AS row FROM ${sqlIdent(view)} WHERE ${t.bad} ORDER BY row LIMIT ${EXAMPLES}`,
    );
    const examples = values.map((v) => ({ value: v['value'], rows: num(v['n']) }));
    out.push({
      check: t.check,
      column: t.column.name,
      severity: 'block',
      message: `column "${t.column.name}" has ${count(bad)} values (${percent(bad / present)} of non-missing) outside ${t.rule}, e.g. ${examples.map((e) => `${show(e.value)} ×${count(e.rows)}`).join(', ')}`,
      evidence: {
        ...t.bounds,
        outside: bad,
        present,
        share: round(bad / present),
        examples,
        exampleRows: rows.map((r) => r['row']),
      },
    });
  }
  return out;
}

function unchecked(check: string, name: string, column: Declared, needed: string): Finding {
  const what = column.type === undefined ? 'is not a feature or the target' : `is ${column.type}`;
  return {
    check,
    column: name,
    severity: 'warn',
    message: `checks.${check === 'quality.range' ? 'ranges' : 'domains'} names column "${name}", which ${what}; only ${needed} can be checked, so it was not`,
    evidence: { type: column.type ?? null },
  };
}

/** `quality.single_class` and `quality.imbalance` from the labelled rows' classes, per split. */
async function classes(
  runner: SqlRunner,
  view: string,
  input: QualityInput,
  checks: Checks,
): Promise<Finding[]> {
  if (input.targetKind === 'numeric') return [];
  const rows = await runner.rows(
    `SELECT __split AS split, ${labelSql(input.targetKind)} AS label, count(*) AS n FROM ${sqlIdent(view)} WHERE __target IS NOT NULL GROUP BY ALL ORDER BY label`,
  );
  const overall = new Map<string, number>();
  const train = new Map<string, number>();
  for (const r of rows) {
    const label = String(r['label']);
    overall.set(label, (overall.get(label) ?? 0) + num(r['n']));
    if (r['split'] === 'train') train.set(label, (train.get(label) ?? 0) + num(r['n']));
  }
  const labelled = [...overall.values()].reduce((a, b) => a + b, 0);
  if (labelled === 0) return [];
  const counts = Object.fromEntries(overall);
  const target = targetLabel(input);
  if (overall.size < 2 || train.size === 1) {
    const [only, n] = overall.size < 2 ? [...overall][0]! : [...train][0]!;
    const where =
      overall.size < 2 ? `all ${count(n)} labelled rows` : `all ${count(n)} labelled training rows`;
    return [
      {
        check: 'quality.single_class',
        severity: 'block',
        message: `${target} has a single class (${show(only)}) in ${where}; nothing can be learned`,
        evidence: { classes: counts, train: Object.fromEntries(train) },
      },
    ];
  }
  const [rarest, rare] = [...overall].reduce((a, b) => (b[1] < a[1] ? b : a));
  const share = rare / labelled;
  if (share >= checks.imbalance_min) return [];
  return [
    {
      check: 'quality.imbalance',
      severity: 'warn',
      message: `the rarest class of ${target}, ${show(rarest)}, is ${percent(share)} of the ${count(labelled)} labelled rows (${count(rare)} rows; threshold ${threshold(checks.imbalance_min)})`,
      evidence: {
        class: rarest,
        rows: rare,
        labelled,
        share: round(share),
        threshold: checks.imbalance_min,
        classes: counts,
      },
    },
  ];
}

const METHOD_NAMES: Record<DriftResult['method'], string> = {
  wasserstein: 'normed Wasserstein distance',
  jensen_shannon: 'Jensen–Shannon distance',
  ks: 'KS test',
  chi_square: 'chi-square test',
};
const STATISTIC_NAMES: Record<DriftResult['method'], string> = {
  wasserstein: 'W',
  jensen_shannon: 'JS',
  ks: 'D',
  chi_square: 'χ²',
};

/** Why a comparison drifted, in words: the statistic (or p-value) against its threshold. */
function driftReason(r: DriftResult): string {
  const psi = `PSI ${round(r.psi, 3)}`;
  if (r.pValue !== undefined) {
    return `${METHOD_NAMES[r.method]} p = ${r.pValue.toPrecision(3)} < ${r.threshold} (${STATISTIC_NAMES[r.method]} = ${round(r.statistic, 3)}, ${psi})`;
  }
  return `${METHOD_NAMES[r.method]} ${round(r.statistic, 3)} ≥ ${r.threshold} (${psi})`;
}

/**
 * `quality.split_drift`: each feature's validation and test rows against its
 * training rows, counted in one pass into the profile's bins and compared
 * with `columnDrift` (Evidently's defaults; see drift.ts).
 */
async function splitDrift(
  runner: SqlRunner,
  view: string,
  profile: Profile,
  columns: readonly ColumnProfile[],
  checks: Checks,
): Promise<Finding[]> {
  const compared = columns.filter((c) => c.count - c.missing > 0);
  if (compared.length === 0) return [];
  const groups = await binWithProfileBy(
    runner,
    view,
    { ...profile, columns: compared },
    '__split',
    "__split IN ('train', 'validation', 'test')",
  );
  const train = groups.find((g) => g.group === 'train');
  if (!train) return [];
  const out: Finding[] = [];
  for (const column of compared) {
    const reference = train.columns[column.name]!;
    if (reference.counts.every((n) => n === 0)) continue;
    for (const split of SPLITS_COMPARED) {
      const current = groups.find((g) => g.group === split)?.columns[column.name];
      if (!current || current.counts.every((n) => n === 0)) continue;
      const r = columnDrift(column, current, { thresholds: checks.drift, reference });
      if (!r.drifted) continue;
      out.push({
        check: 'quality.split_drift',
        column: column.name,
        severity: 'warn',
        message: `column "${column.name}" shifts from train to ${split}: ${driftReason(r)}`,
        evidence: {
          split,
          method: r.method,
          statistic: round(r.statistic, 6),
          ...(r.pValue !== undefined ? { pValue: r.pValue } : {}),
          threshold: r.threshold,
          psi: round(r.psi, 6),
          psiThreshold: r.psiThreshold,
          referenceRows: r.referenceRows,
          currentRows: r.currentRows,
        },
      });
    }
  }
  return out;
}
