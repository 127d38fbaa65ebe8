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
import { type SqlRunner, sqlIdent } from '../sql.js';
import { binningOf, countBins } from './profile-bins.js';
import { binIndex, finite, isNumeric, valueSql } from './profile-values.js';

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

function sourceSql(view: string, columns: readonly ProfileColumn[], where?: string): string {
  const values = columns.map((c, i) => `${valueSql(c)} AS e${i}`);
  return `(SELECT ${values.length > 0 ? values.join(', ') : '1 AS e'} FROM ${sqlIdent(view)}${where ? ` WHERE ${where}` : ''})`;
}

/** The probabilities to ask `quantile_disc` for: the reported quantiles and the bin cuts. */
function probabilities(bins: number): number[] {
  const all = new Map<string, number>();
  for (const [, p] of QUANTILES) all.set(p.toFixed(9), p);
  for (let j = 1; j < bins; j++) all.set((j / bins).toFixed(9), j / bins);
  return [...all.values()].sort((a, b) => a - b);
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
