/**
 * Column profiles computed in DuckDB: counts, missingness, distinct values,
 * moments, quantiles and a histogram with fixed bins per column. A profile is
 * plain JSON, stored with each dataset snapshot as the reference that the
 * split checks and monitoring compare other rows against, bin for bin
 * (`binWithProfile` in SQL, `binValues` over arrays).
 *
 * Numeric bins are equal-frequency: the cut points are the reference's exact
 * 5%, 10%, …, 95% quantiles (inverse-CDF, so each is a value of the data),
 * deduplicated and below the maximum. Bins are right-closed and open at both
 * ends: (−∞, e₀], (e₀, e₁], …, (eₖ₋₁, +∞), so values outside the reference's
 * range land in the outer bins. A column with at most `bins` distinct values
 * gets one bin per value instead. Categorical bins are the `top` most frequent
 * values plus one bin for all the others. Missing values are counted apart.
 * For Wasserstein, each numeric bin stands at its upper edge (the last at the
 * maximum), so a bin holding one value is represented exactly.
 */
import { type SqlRunner, sqlIdent, sqlString } from '../sql.js';
import {
  compareDistributions,
  type DriftResult,
  type DriftThresholds,
  type NumericReference,
} from './drift.js';

export type ProfileColumnType = 'numeric' | 'categorical' | 'timestamp' | 'binary';

/** A column to profile: its name in the view and its kind. */
export interface ProfileColumn {
  readonly name: string;
  readonly type: ProfileColumnType;
}

/** Counts per bin (in the profile's bin order) and the missing values, counted apart. */
export interface BinCounts {
  readonly counts: number[];
  readonly missing: number;
  /** Numerics and timestamps: population standard deviation of the binned values. */
  readonly std?: number | null;
}

export interface Quantiles {
  readonly p01: number;
  readonly p05: number;
  readonly p25: number;
  readonly p50: number;
  readonly p75: number;
  readonly p95: number;
  readonly p99: number;
}

interface ColumnProfileBase {
  readonly name: string;
  readonly type: ProfileColumnType;
  /** Rows profiled (missing included). */
  readonly count: number;
  readonly missing: number;
  readonly missingRate: number;
  /** Distinct non-missing values (exact). */
  readonly distinct: number;
}

/** Numerics, and timestamps as epoch milliseconds (UTC). Statistics are null when every value is missing. */
export interface NumericColumnProfile extends ColumnProfileBase {
  readonly type: 'numeric' | 'timestamp';
  readonly min: number | null;
  readonly max: number | null;
  readonly mean: number | null;
  /** Population standard deviation (ddof 0, as numpy's and Evidently's). */
  readonly std: number | null;
  readonly quantiles: Quantiles | null;
  readonly histogram: {
    /** Ascending cut points; `counts[i]` holds values in (edges[i−1], edges[i]], with ±∞ beyond the ends. */
    readonly edges: number[];
    /** `edges.length + 1` counts. */
    readonly counts: number[];
    readonly missing: number;
  };
}

/** Categoricals, and binary columns (0/1, whose values are the categories `"0"` and `"1"`). */
export interface CategoricalColumnProfile extends ColumnProfileBase {
  readonly type: 'categorical' | 'binary';
  /** The most frequent values, most frequent first (ties by value). */
  readonly top: { readonly value: string; readonly count: number }[];
  /** Non-missing values outside `top`. */
  readonly other: number;
  readonly histogram: {
    /** The categories that have a bin each (binary: always `["0", "1"]`). */
    readonly categories: string[];
    /** `categories.length + 1` counts: one per category, then every other value. */
    readonly counts: number[];
    readonly missing: number;
  };
}

export type ColumnProfile = NumericColumnProfile | CategoricalColumnProfile;

export interface Profile {
  readonly version: 1;
  /** Rows profiled (after `where`). */
  readonly rows: number;
  /** The filter the rows were chosen with, when there was one. */
  readonly where?: string;
  readonly columns: ColumnProfile[];
}

export interface ProfileOptions {
  /** SQL condition choosing the rows (e.g. `__split = 'train'`); trusted text, not user input. */
  readonly where?: string;
  /** Numeric bins (default 20). */
  readonly bins?: number;
  /** Categories with a bin of their own (default 20). */
  readonly top?: number;
}

const QUANTILES: readonly [keyof Quantiles, number][] = [
  ['p01', 0.01],
  ['p05', 0.05],
  ['p25', 0.25],
  ['p50', 0.5],
  ['p75', 0.75],
  ['p95', 0.95],
  ['p99', 0.99],
];

/**
 * Numeric columns with at most this many distinct values get their moments,
 * exact quantiles and bins from a GROUP BY on the value, which is far cheaper
 * than the sort behind `quantile_disc` (and deterministic to the last digit).
 */
const FEW_VALUES = 10_000;
/** Columns per GROUPING SETS query. */
const SETS_PER_QUERY = 32;

const isNumeric = (type: ProfileColumnType): type is 'numeric' | 'timestamp' =>
  type === 'numeric' || type === 'timestamp';

/** Whether a column profile is a numeric or timestamp one (with edges), rather than categorical. */
export function isNumericProfile(column: ColumnProfile): column is NumericColumnProfile {
  return isNumeric(column.type);
}

/** The column's values as DuckDB sees them for profiling: DOUBLE without NaN, epoch ms, or a category key. */
function valueSql(column: ProfileColumn): string {
  const ref = sqlIdent(column.name);
  switch (column.type) {
    case 'numeric':
      return `nullif(CAST(${ref} AS DOUBLE), 'NaN'::DOUBLE)`;
    case 'timestamp':
      return `CAST(epoch_ms(CAST(${ref} AS TIMESTAMP)) AS DOUBLE)`;
    case 'categorical':
      return `CAST(${ref} AS VARCHAR)`;
    case 'binary':
      return `CASE WHEN ${ref} IS NULL THEN NULL WHEN TRY_CAST(${ref} AS DOUBLE) = 1 THEN '1' WHEN TRY_CAST(${ref} AS DOUBLE) = 0 THEN '0' ELSE CAST(${ref} AS VARCHAR) END`;
  }
}

/** The category key of a binary value, as `valueSql` makes it. */
function binaryKey(value: number): string {
  return value === 1 ? '1' : value === 0 ? '0' : String(value);
}

function sourceSql(view: string, columns: readonly ProfileColumn[], where?: string): string {
  const values = columns.map((c, i) => `${valueSql(c)} AS e${i}`);
  return `(SELECT ${values.length > 0 ? values.join(', ') : '1 AS e'} FROM ${sqlIdent(view)}${where ? ` WHERE ${where}` : ''})`;
}

const doubleSql = (x: number) => `'${String(x)}'::DOUBLE`;

/** A JSON number, or null for NULL, NaN and ±∞ (which JSON cannot hold). */
function finite(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** Index of the bin holding `value`: the first cut point ≥ value, or the last bin. */
function binIndex(edges: readonly number[], value: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The probabilities to ask `quantile_disc` for: the reported quantiles and the bin cuts. */
function probabilities(bins: number): number[] {
  const all = new Map<string, number>();
  for (const [, p] of QUANTILES) all.set(p.toFixed(9), p);
  for (let j = 1; j < bins; j++) all.set((j / bins).toFixed(9), j / bins);
  return [...all.values()].sort((a, b) => a - b);
}

/** How a column's values fall into bins: cut points for numerics, categories for the rest. */
type Binning =
  | { readonly kind: 'edges'; readonly edges: readonly number[] }
  | { readonly kind: 'categories'; readonly categories: readonly string[] };

function binningOf(column: ColumnProfile): Binning {
  return isNumericProfile(column)
    ? { kind: 'edges', edges: column.histogram.edges }
    : { kind: 'categories', categories: column.histogram.categories };
}

/** Edges for a numeric column: its values when there are at most `bins`, else the bin quantiles. */
function numericEdges(
  quantileAt: (p: number) => number,
  values: readonly number[] | undefined,
  max: number,
  bins: number,
): number[] {
  const candidates =
    values && values.length <= bins
      ? values
      : Array.from({ length: bins - 1 }, (_, j) => quantileAt((j + 1) / bins));
  const cuts: number[] = [];
  for (const q of candidates) {
    if (Number.isFinite(q) && q < max && (cuts.length === 0 || q > cuts[cuts.length - 1]!)) {
      cuts.push(q);
    }
  }
  return cuts;
}

/** quantile_disc's definition over value counts: the value at 0-based rank max(⌈n·p⌉ − 1, 0). */
function countedQuantile(values: readonly number[], cumulative: readonly number[]) {
  const total = cumulative[cumulative.length - 1] ?? 0;
  return (p: number) => values[binIndex(cumulative, Math.max(Math.ceil(total * p) - 1, 0) + 1)]!;
}

interface Summary {
  rows: number;
  present: number;
  distinct: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  std: number | null;
  quantileAt?: (p: number) => number;
  /** Numerics with few values: every value (ascending) and its count. */
  values?: number[];
  counts?: number[];
}

function numericProfile(
  column: ProfileColumn,
  s: Summary,
  bins: number,
  counts: (edges: number[]) => number[],
): NumericColumnProfile {
  const type = column.type as 'numeric' | 'timestamp';
  const missing = s.rows - s.present;
  const base = {
    name: column.name,
    type,
    count: s.rows,
    missing,
    missingRate: s.rows > 0 ? missing / s.rows : 0,
    distinct: s.distinct,
  };
  const quantileAt = s.quantileAt;
  if (s.present === 0 || quantileAt === undefined) {
    return {
      ...base,
      distinct: 0,
      min: null,
      max: null,
      mean: null,
      std: null,
      quantiles: null,
      histogram: { edges: [], counts: [0], missing },
    };
  }
  const quantiles = Object.fromEntries(
    QUANTILES.map(([key, p]) => [key, finite(quantileAt(p))]),
  ) as unknown as Quantiles;
  // ±∞ are values to bin but not JSON: a null maximum with values present was +∞.
  const edges = numericEdges(quantileAt, s.values, s.max ?? Number.POSITIVE_INFINITY, bins);
  return {
    ...base,
    min: s.min,
    max: s.max,
    mean: s.mean,
    std: s.std,
    quantiles,
    histogram: { edges, counts: counts(edges), missing },
  };
}

function categoricalProfile(
  column: ProfileColumn,
  s: Summary,
  top: { value: string; count: number }[],
): CategoricalColumnProfile {
  const type = column.type as 'categorical' | 'binary';
  const missing = s.rows - s.present;
  const categories = type === 'binary' ? ['0', '1'] : top.map((t) => t.value);
  const byValue = new Map(top.map((t) => [t.value, t.count]));
  const counts = categories.map((c) => byValue.get(c) ?? 0);
  counts.push(s.present - counts.reduce((a, b) => a + b, 0));
  return {
    name: column.name,
    type,
    count: s.rows,
    missing,
    missingRate: s.rows > 0 ? missing / s.rows : 0,
    distinct: s.distinct,
    top,
    other: s.present - top.reduce((a, t) => a + t.count, 0),
    histogram: { categories, counts, missing },
  };
}

/**
 * Profiles `columns` of `view` in few aggregate passes: counts and exact
 * distinct counts of every column at once; one GROUPING SETS pass (per 32
 * columns) giving the categoricals' top values and the value counts of
 * numerics with at most 10,000 distinct values, from which their moments,
 * exact quantiles and bins follow; and, only for numerics with more values,
 * one pass for moments and exact `quantile_disc` and one counting their bins.
 *
 * @example
 * const profile = await profileView(session, 'fw_dataset', [
 *   { name: 'distance', type: 'numeric' },
 *   { name: 'origin', type: 'categorical' },
 * ]);
 * JSON.stringify(profile); // stored with the snapshot
 */
export async function profileView(
  runner: SqlRunner,
  view: string,
  columns: readonly ProfileColumn[],
  options: ProfileOptions = {},
): Promise<Profile> {
  const bins = options.bins ?? 20;
  const top = options.top ?? 20;
  if (!Number.isInteger(bins) || bins < 2) {
    throw new RangeError(`bins must be an integer of at least 2, got ${bins}`);
  }
  if (!Number.isInteger(top) || top < 1) {
    throw new RangeError(`top must be a positive integer, got ${top}`);
  }
  const source = sourceSql(view, columns, options.where);

  const counts = columns.flatMap((_, i) => [
    `count(e${i}) AS c${i}`,
    `count(DISTINCT e${i}) AS d${i}`,
  ]);
  const first =
    (await runner.rows(`SELECT count(*) AS n, ${counts.join(', ')} FROM ${source}`))[0] ?? {};
  const rows = Number(first['n'] ?? 0);
  const summaries = columns.map(
    (_, i): Summary => ({
      rows,
      present: Number(first[`c${i}`] ?? 0),
      distinct: Number(first[`d${i}`] ?? 0),
      min: null,
      max: null,
      mean: null,
      std: null,
    }),
  );
  const present = columns.map((_, i) => i).filter((i) => summaries[i]!.present > 0);
  const counted = present.filter(
    (i) => !isNumeric(columns[i]!.type) || summaries[i]!.distinct <= FEW_VALUES,
  );
  const sorted = present.filter((i) => !counted.includes(i));

  const tops = await countValues(runner, source, columns, counted, top, summaries);
  if (sorted.length > 0) await sortedSummaries(runner, source, sorted, bins, summaries);

  const profiles = columns.map((c, i): ColumnProfile => {
    const s = summaries[i]!;
    if (!isNumeric(c.type)) return categoricalProfile(c, s, tops.get(i) ?? []);
    return numericProfile(c, s, bins, (edges) => {
      const out = new Array<number>(edges.length + 1).fill(0);
      s.values?.forEach((v, j) => {
        out[binIndex(edges, v)]! += s.counts![j]!;
      });
      return out;
    });
  });

  // Numerics with many values: one more pass counts their bins, now that the edges are known.
  if (sorted.length > 0) {
    const binnings = sorted.map((i) => binningOf(profiles[i]!));
    const where = { where: options.where };
    const [group] = await countBins(
      runner,
      view,
      sorted.map((i) => columns[i]!),
      binnings,
      where,
    );
    sorted.forEach((i, j) => {
      const p = profiles[i] as NumericColumnProfile;
      const binned = group?.bins[j]?.counts ?? p.histogram.counts;
      profiles[i] = { ...p, histogram: { ...p.histogram, counts: binned } };
    });
  }
  return {
    version: 1,
    rows,
    ...(options.where !== undefined ? { where: options.where } : {}),
    columns: profiles,
  };
}

/** Moments and exact quantiles (`quantile_disc`, a sort) of numerics with many distinct values. */
async function sortedSummaries(
  runner: SqlRunner,
  source: string,
  indices: readonly number[],
  bins: number,
  summaries: Summary[],
): Promise<void> {
  const probs = probabilities(bins);
  const list = `[${probs.join(', ')}]`;
  const parts = indices.flatMap((i) => [
    `min(e${i}) AS lo${i}`,
    `max(e${i}) AS hi${i}`,
    `avg(e${i}) AS mean${i}`,
    `stddev_pop(e${i}) AS sd${i}`,
    `quantile_disc(e${i}, ${list}) AS q${i}`,
  ]);
  const row = (await runner.rows(`SELECT ${parts.join(', ')} FROM ${source}`))[0] ?? {};
  for (const i of indices) {
    const s = summaries[i]!;
    const values = (row[`q${i}`] as unknown[]).map(Number);
    s.min = finite(row[`lo${i}`]);
    s.max = finite(row[`hi${i}`]);
    s.mean = finite(row[`mean${i}`]);
    s.std = finite(row[`sd${i}`]);
    s.quantileAt = (p) => values[probs.findIndex((x) => Math.abs(x - p) < 1e-9)]!;
  }
}

/** Moments and quantiles of a numeric from its value counts (ascending by value). */
function countedSummary(s: Summary, values: number[], counts: number[]): void {
  let total = 0;
  let sum = 0;
  const cumulative = counts.map((c, j) => {
    total += c;
    sum += c * values[j]!;
    return total;
  });
  const mean = sum / total;
  let squares = 0;
  values.forEach((v, j) => {
    squares += counts[j]! * (v - mean) ** 2;
  });
  s.values = values;
  s.counts = counts;
  s.min = finite(values[0]);
  s.max = finite(values[values.length - 1]);
  s.mean = finite(mean);
  s.std = finite(Math.sqrt(squares / total));
  s.quantileAt = countedQuantile(values, cumulative);
}

/**
 * Value counts of the `indices` columns, one scan per 32 columns (GROUPING
 * SETS): every value of a numeric (summarised into `summaries`), and the
 * `top` most frequent of a categorical (returned).
 */
async function countValues(
  runner: SqlRunner,
  source: string,
  columns: readonly ProfileColumn[],
  indices: readonly number[],
  top: number,
  summaries: Summary[],
): Promise<Map<number, { value: string; count: number }[]>> {
  const tops = new Map<number, { value: string; count: number }[]>();
  for (let start = 0; start < indices.length; start += SETS_PER_QUERY) {
    const chunk = indices.slice(start, start + SETS_PER_QUERY);
    const keys = chunk.map((i) => `k${i}`).join(', ');
    const numeric = chunk.filter((i) => isNumeric(columns[i]!.type));
    const keepAll = numeric.length > 0 ? `col IN (${numeric.join(', ')}) OR ` : '';
    // In the rows of column i's grouping set, k_i is its value and NULL the missing group.
    const sql = `
      SELECT col, ${keys}, n FROM (
        SELECT CASE ${chunk.map((i) => `WHEN g${i} = 0 THEN ${i}`).join(' ')} END AS col, ${keys}, n
        FROM (
          SELECT ${chunk.map((i) => `GROUPING(e${i}) AS g${i}, e${i} AS k${i}`).join(', ')}, count(*) AS n
          FROM ${source}
          GROUP BY GROUPING SETS (${chunk.map((i) => `(e${i})`).join(', ')})
        )
      )
      WHERE CASE col ${chunk.map((i) => `WHEN ${i} THEN k${i} IS NOT NULL`).join(' ')} END
      QUALIFY ${keepAll}row_number() OVER (PARTITION BY col ORDER BY n DESC, ${keys}) <= ${top}
      ORDER BY col, n DESC, ${keys}`;
    const numericValues = new Map<number, [number, number][]>();
    for (const r of await runner.rows(sql)) {
      const i = Number(r['col']);
      const key = r[`k${i}`];
      const n = Number(r['n']);
      if (isNumeric(columns[i]!.type)) {
        const list = numericValues.get(i) ?? [];
        list.push([Number(key), n]);
        numericValues.set(i, list);
      } else {
        const list = tops.get(i) ?? [];
        list.push({ value: String(key), count: n });
        tops.set(i, list);
      }
    }
    for (const [i, pairs] of numericValues) {
      pairs.sort((a, b) => a[0] - b[0]);
      countedSummary(
        summaries[i]!,
        pairs.map((p) => p[0]),
        pairs.map((p) => p[1]),
      );
    }
  }
  return tops;
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
async function countBins(
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
