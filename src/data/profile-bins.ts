/**
 * Binning with a profile: other rows counted into a reference profile's bins,
 * in SQL (`binWithProfile`, `binWithProfileBy`) or over arrays (`binValues`),
 * and the drift of those counts from the reference (`columnDrift`).
 */
import { type SqlRunner, sqlIdent, sqlString } from '../sql.js';
import {
  compareDistributions,
  type DriftResult,
  type DriftThresholds,
  type NumericReference,
} from './drift.js';
import type {
  BinCounts,
  ColumnProfile,
  NumericColumnProfile,
  Profile,
  ProfileColumn,
} from './profile.js';
import { binIndex, finite, isNumericProfile, valueSql } from './profile-values.js';

/** The category key of a binary value, as `valueSql` makes it. */
function binaryKey(value: number): string {
  return value === 1 ? '1' : value === 0 ? '0' : String(value);
}

const doubleSql = (x: number) => `'${String(x)}'::DOUBLE`;

/** How a column's values fall into bins: cut points for numerics, categories for the rest. */
type Binning =
  | { readonly kind: 'edges'; readonly edges: readonly number[] }
  | { readonly kind: 'categories'; readonly categories: readonly string[] };

export function binningOf(column: ColumnProfile): Binning {
  return isNumericProfile(column)
    ? { kind: 'edges', edges: column.histogram.edges }
    : { kind: 'categories', categories: column.histogram.categories };
}

/** The aggregates binning value `e${i}`. */
function binAggregates(binning: Binning, i: number): string[] {
  const parts = [`count(e${i}) AS c${i}`];
  if (binning.kind === 'edges') {
    const edges = `[${binning.edges.map(doubleSql).join(', ')}]::DOUBLE[]`;
    parts.push(`histogram(e${i}, ${edges}) AS h${i}`, `stddev_pop(e${i}) AS sd${i}`);
  } else if (binning.categories.length > 0) {
    const cases = binning.categories.map((c, j) => `WHEN ${sqlString(c)} THEN ${j}`).join(' ');
    parts.push(`histogram(CASE e${i} ${cases} END) AS h${i}`);
  }
  return parts;
}

/** Reads the bins of value `e${i}` from a row made with `binAggregates`. */
function readBins(binning: Binning, i: number, row: Record<string, unknown>): BinCounts {
  const rows = Number(row['n'] ?? 0);
  const present = Number(row[`c${i}`] ?? 0);
  const entries = (row[`h${i}`] as { key: unknown; value: unknown }[] | null | undefined) ?? [];
  if (binning.kind === 'edges') {
    const size = binning.edges.length;
    const counts = new Array<number>(size + 1).fill(0);
    // DuckDB lists every edge in order, then an `Infinity` bucket when it is not empty.
    entries.forEach((e, j) => {
      counts[e.key === 'Infinity' ? size : j] = Number(e.value);
    });
    return { counts, missing: rows - present, std: finite(row[`sd${i}`]) };
  }
  const size = binning.categories.length;
  const counts = new Array<number>(size + 1).fill(0);
  for (const e of entries) counts[Number(e.key)] = Number(e.value);
  counts[size] = present - counts.reduce((a, b) => a + b, 0);
  return { counts, missing: rows - present };
}

/** Bins the columns of `view` (per value of `groupBy` when given) in one aggregate pass. */
export async function countBins(
  runner: SqlRunner,
  view: string,
  columns: readonly ProfileColumn[],
  binnings: readonly Binning[],
  options: { where?: string | undefined; groupBy?: string },
): Promise<{ group: string | null; rows: number; bins: BinCounts[] }[]> {
  const group = options.groupBy ?? 'NULL';
  const values = columns.map((c, i) => `, ${valueSql(c)} AS e${i}`).join('');
  const where = options.where ? ` WHERE ${options.where}` : '';
  const parts = ['CAST(fw_group AS VARCHAR) AS grp', 'count(*) AS n'];
  binnings.forEach((b, i) => {
    parts.push(...binAggregates(b, i));
  });
  const rows = await runner.rows(
    `SELECT ${parts.join(', ')} FROM (SELECT ${group} AS fw_group${values} FROM ${sqlIdent(view)}${where}) GROUP BY fw_group ORDER BY grp`,
  );
  return rows.map((row) => ({
    group: row['grp'] === null ? null : String(row['grp']),
    rows: Number(row['n']),
    bins: binnings.map((b, i) => readBins(b, i, row)),
  }));
}

/**
 * Counts the rows of `view` (those matching `where`, when given) into each
 * column's bins of `profile`, in one aggregate pass. Columns are found in the
 * view by name.
 *
 * @example
 * const reference = await profileView(session, 'fw_dataset', columns, { where: "__split = 'train'" });
 * const live = await binWithProfile(session, 'fw_window', reference);
 * live['distance'].counts; // one count per reference bin
 */
export async function binWithProfile(
  runner: SqlRunner,
  view: string,
  profile: Profile,
  where?: string,
): Promise<Record<string, BinCounts>> {
  const binnings = profile.columns.map(binningOf);
  const [group] = await countBins(runner, view, profile.columns, binnings, { where });
  return Object.fromEntries(
    profile.columns.map((c, i) => [c.name, group?.bins[i] ?? readBins(binnings[i]!, i, {})]),
  );
}

/** The bins of one group of rows (see `binWithProfileBy`). */
export interface BinnedGroup {
  /** The group's value as text; null for the NULL group. */
  readonly group: string | null;
  readonly rows: number;
  readonly columns: Record<string, BinCounts>;
}

/**
 * `binWithProfile` per value of the SQL expression `groupBy` (e.g.
 * `__split`), still in one pass; groups come in ascending order, NULL last.
 *
 * @example
 * const bySplit = await binWithProfileBy(session, 'fw_dataset', profile, '__split');
 */
export async function binWithProfileBy(
  runner: SqlRunner,
  view: string,
  profile: Profile,
  groupBy: string,
  where?: string,
): Promise<BinnedGroup[]> {
  const binnings = profile.columns.map(binningOf);
  const groups = await countBins(runner, view, profile.columns, binnings, { where, groupBy });
  return groups.map((g) => ({
    group: g.group,
    rows: g.rows,
    columns: Object.fromEntries(profile.columns.map((c, i) => [c.name, g.bins[i]!])),
  }));
}

function populationStd(values: ArrayLike<number>): number | null {
  let n = 0;
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    n++;
    const delta = v - mean;
    mean += delta / n;
    m2 += delta * (v - mean);
  }
  return n > 0 ? Math.sqrt(m2 / n) : null;
}

/**
 * Bins values held in memory with a column's profile, exactly as
 * `binWithProfile` bins them in SQL: numerics and timestamps (epoch ms) as a
 * Float64Array with NaN for missing; categoricals as strings with null for
 * missing; binary columns either way (0/1 or "0"/"1").
 *
 * @example
 * binValues(profile.columns[0], Float64Array.of(12, 480, Number.NaN)); // { counts, missing: 1 }
 */
export function binValues(
  column: ColumnProfile,
  values: Float64Array | readonly (string | null | undefined)[],
): BinCounts {
  if (isNumericProfile(column)) {
    if (!(values instanceof Float64Array)) {
      throw new TypeError(`column "${column.name}" is ${column.type}: bin a Float64Array`);
    }
    const edges = column.histogram.edges;
    const counts = new Array<number>(edges.length + 1).fill(0);
    let missing = 0;
    for (const v of values) {
      if (Number.isNaN(v)) missing++;
      else counts[binIndex(edges, v)]!++;
    }
    return { counts, missing, std: populationStd(values) };
  }
  const categories = column.histogram.categories;
  const index = new Map(categories.map((c, j) => [c, j]));
  const counts = new Array<number>(categories.length + 1).fill(0);
  let missing = 0;
  const add = (key: string) => {
    counts[index.get(key) ?? categories.length]!++;
  };
  if (values instanceof Float64Array) {
    if (column.type !== 'binary') {
      throw new TypeError(`column "${column.name}" is categorical: bin an array of strings`);
    }
    for (const v of values) {
      if (Number.isNaN(v)) missing++;
      else add(binaryKey(v));
    }
  } else {
    for (const v of values) {
      if (v === null || v === undefined) missing++;
      else add(v);
    }
  }
  return { counts, missing };
}

/**
 * Where each bin of a numeric profile lies, for Wasserstein: its upper edge;
 * the open last bin sits at the 99th percentile (capped by the maximum), not
 * at the maximum itself, so one extreme value in a heavy tail cannot turn a
 * tiny change of share in that bin into a large distance.
 */
export function binPoints(column: NumericColumnProfile): number[] {
  const edges = column.histogram.edges;
  const last = edges[edges.length - 1];
  const tail = Math.max(
    last ?? Number.NEGATIVE_INFINITY,
    Math.min(
      column.quantiles?.p99 ?? Number.POSITIVE_INFINITY,
      column.max ?? Number.POSITIVE_INFINITY,
    ),
  );
  return [...edges, Number.isFinite(tail) ? tail : (last ?? 0)];
}

/**
 * Compares `current` with a column's reference bins (the profile's own, or
 * `reference` binned with them, e.g. the training split) using
 * `compareDistributions`. As in Evidently, a numeric column with at most five
 * distinct values is compared as categorical.
 *
 * @example
 * const live = binValues(column, values);
 * const { method, statistic, drifted } = columnDrift(column, live, { thresholds: spec.checks?.drift });
 */
export function columnDrift(
  column: ColumnProfile,
  current: BinCounts,
  options: { thresholds?: Partial<DriftThresholds>; reference?: BinCounts } = {},
): DriftResult {
  const reference = options.reference ?? column.histogram;
  if (isNumericProfile(column) && column.distinct > 5) {
    const numeric: NumericReference = {
      counts: reference.counts,
      points: binPoints(column),
      std: (options.reference ? options.reference.std : column.std) ?? 0,
    };
    return compareDistributions(numeric, current, 'numeric', options.thresholds);
  }
  return compareDistributions(reference, current, 'categorical', options.thresholds);
}
