/**
 * One monitoring window, computed from columns: every model feature binned
 * with its reference profile's fixed edges and compared with Evidently-like
 * defaults (Wasserstein or Jensen–Shannon above `small_sample` rows, KS or
 * chi-square below, PSI beside), missing and unseen rates, the score
 * distribution against the test scores, the positive-decision rate, latency
 * percentiles, and cost per decision: estimated from the scores before
 * labels arrive (confidence-based performance estimation), realised after.
 */
import {
  type BinCounts,
  binValues,
  type ColumnProfile,
  columnDrift,
  type Frame,
  isNumericProfile,
} from '../data/index.js';
import type { ModelBundle, ScoreReference } from '../registry/index.js';
import type {
  BinShares,
  FeatureWindow,
  MonitorSettings,
  MonitorWindow,
  PredictionWindow,
} from './types.js';

/** What a model version brings to every window. */
export interface WindowContext {
  readonly bundle: ModelBundle;
  readonly settings: MonitorSettings;
  /** Reference profile columns by name (the training snapshot's). */
  readonly profiles: ReadonlyMap<string, ColumnProfile>;
  readonly scores: ScoreReference | undefined;
  /** Importance shares by feature (equal when the bundle has none). */
  readonly importance: Readonly<Record<string, number>>;
  /** Training categories of categorical inputs. */
  readonly categories: ReadonlyMap<string, ReadonlySet<string>>;
}

/** The rows of one window, as columns. */
export interface WindowInput {
  readonly from: string;
  readonly to: string;
  readonly versions: readonly string[];
  /** The model's features for each logged row (see Scorer.features). */
  readonly features: Frame;
  readonly scores: Float64Array;
  /** Binary: 1 where the decision was positive, 0 where not, NaN when none. */
  readonly decisions: Float64Array;
  readonly latencyMs: Float64Array;
  /** Binary: 1 / 0 where a label arrived, NaN where not. */
  readonly labels: Float64Array;
  readonly requests: number;
  readonly errors: number;
}

/** The context of a bundle: its reference profiles, score reference, importance and categories. */
export function windowContext(bundle: ModelBundle, settings: MonitorSettings): WindowContext {
  const profile = bundle.referenceProfile as { columns?: ColumnProfile[] } | null | undefined;
  const profiles = new Map((profile?.columns ?? []).map((c) => [c.name, c]));
  const names = bundle.features;
  const importance =
    bundle.importance ?? Object.fromEntries(names.map((n) => [n, 1 / Math.max(1, names.length)]));
  const categories = new Map(
    bundle.inputs.flatMap((i) => (i.categories ? [[i.name, new Set(i.categories)] as const] : [])),
  );
  return { bundle, settings, profiles, scores: bundle.referenceScores, importance, categories };
}

const format = (v: number) =>
  Math.abs(v) >= 1000 || Number.isInteger(v) ? String(v) : v.toPrecision(3);

function shares(counts: readonly number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (total === 0 ? 0 : c / total));
}

function binLabels(profile: ColumnProfile): string[] {
  if (isNumericProfile(profile)) {
    const edges = profile.histogram.edges;
    if (edges.length === 0) return ['all'];
    return [
      `≤ ${format(edges[0]!)}`,
      ...edges.slice(1).map((e, i) => `(${format(edges[i]!)}, ${format(e)}]`),
      `> ${format(edges.at(-1)!)}`,
    ];
  }
  return [...profile.histogram.categories, '(other)'];
}

/** The values that are not NaN, sorted (a plain loop: a typed array's filter is slow). */
function presentSorted(values: Float64Array): Float64Array {
  const out = new Float64Array(values.length);
  let n = 0;
  for (const v of values) if (!Number.isNaN(v)) out[n++] = v;
  return out.subarray(0, n).sort();
}

function percentile(sorted: Float64Array, q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** A column of the frame as binValues takes it, with its missing and unseen counts. */
function columnValues(
  frame: Frame,
  name: string,
  known: ReadonlySet<string> | undefined,
):
  | { values: Float64Array | (string | null)[]; missing: number; unseen: number; present: number }
  | undefined {
  const column = frame.columns.get(name);
  if (column === undefined) return undefined;
  if (column.type === 'categorical') {
    const values: (string | null)[] = new Array(frame.rowCount);
    let missing = 0;
    let unseen = 0;
    for (let r = 0; r < frame.rowCount; r++) {
      const code = column.codes[r]!;
      const v = code < 0 ? null : (column.dictionary[code] ?? null);
      values[r] = v;
      if (v === null) missing++;
      else if (known !== undefined && !known.has(v)) unseen++;
    }
    return { values, missing, unseen, present: frame.rowCount - missing };
  }
  const values = column.values;
  let missing = 0;
  for (const v of values) if (Number.isNaN(v)) missing++;
  return { values, missing, unseen: 0, present: frame.rowCount - missing };
}

/**
 * A categorical column's bins by its profile, counted per code first and
 * then per distinct value (a million rows are counted, not looked up).
 */
function categoricalBins(
  profile: ColumnProfile,
  codes: Int32Array,
  dictionary: readonly string[],
  known: ReadonlySet<string> | undefined,
): { bins: BinCounts; missing: number; unseen: number; present: number } | undefined {
  if (isNumericProfile(profile)) return undefined;
  const perCode = new Float64Array(dictionary.length);
  let missing = 0;
  for (const c of codes) {
    if (c < 0) missing++;
    else perCode[c]!++;
  }
  const categories = profile.histogram.categories;
  const index = new Map(categories.map((c, j) => [c, j]));
  const counts = new Array<number>(categories.length + 1).fill(0);
  let unseen = 0;
  dictionary.forEach((value, code) => {
    const n = perCode[code]!;
    if (n === 0) return;
    counts[index.get(value) ?? categories.length]! += n;
    if (known !== undefined && !known.has(value)) unseen += n;
  });
  return { bins: { counts, missing }, missing, unseen, present: codes.length - missing };
}

function featureWindow(
  ctx: WindowContext,
  input: WindowInput,
  name: string,
): FeatureWindow | undefined {
  const profile = ctx.profiles.get(name);
  if (profile === undefined || profile.type === 'timestamp') return undefined;
  const raw = input.features.columns.get(name);
  if (raw?.type === 'categorical') {
    const c = categoricalBins(profile, raw.codes, raw.dictionary, ctx.categories.get(name));
    if (c !== undefined) return featureResult(ctx, input, name, profile, c.bins, c);
  }
  const column = columnValues(input.features, name, ctx.categories.get(name));
  if (column === undefined) return undefined;
  let values = column.values;
  // A profile kind the column does not match (e.g. a binary 0/1 column) is binned as text.
  if (isNumericProfile(profile) && !(values instanceof Float64Array)) return undefined;
  if (!isNumericProfile(profile) && values instanceof Float64Array && profile.type !== 'binary') {
    values = Array.from(values, (v) => (Number.isNaN(v) ? null : String(v)));
  }
  return featureResult(ctx, input, name, profile, binValues(profile, values), column);
}

function featureResult(
  ctx: WindowContext,
  input: WindowInput,
  name: string,
  profile: ColumnProfile,
  current: BinCounts,
  column: { missing: number; unseen: number; present: number },
): FeatureWindow {
  const drift = columnDrift(profile, current, { thresholds: ctx.settings.drift });
  const rows = input.features.rowCount;
  return {
    name,
    type: isNumericProfile(profile) ? 'numeric' : 'categorical',
    method: drift.method,
    statistic: drift.statistic,
    threshold: drift.threshold,
    ...(drift.pValue === undefined ? {} : { pValue: drift.pValue }),
    drifted: drift.drifted,
    psi: drift.psi,
    importance: ctx.importance[name] ?? 0,
    missingRate: rows === 0 ? 0 : column.missing / rows,
    referenceMissingRate: profile.missingRate,
    unseenRate: column.present === 0 ? 0 : column.unseen / column.present,
    bins: {
      labels: binLabels(profile),
      reference: shares(profile.histogram.counts),
      current: shares(current.counts),
    },
  };
}

function meanOf(values: Float64Array): number | null {
  let n = 0;
  let sum = 0;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    n++;
    sum += v;
  }
  return n === 0 ? null : sum / n;
}

function predictionWindow(ctx: WindowContext, input: WindowInput): PredictionWindow | null {
  const reference = ctx.scores;
  if (reference === undefined || reference.profile.histogram.edges.length === 0) return null;
  const current = binValues(reference.profile, input.scores);
  const drift = columnDrift(reference.profile, current, { thresholds: ctx.settings.drift });
  const bins: BinShares = {
    labels: binLabels(reference.profile),
    reference: shares(reference.profile.histogram.counts),
    current: shares(current.counts),
  };
  return {
    method: drift.method,
    statistic: drift.statistic,
    threshold: drift.threshold,
    drifted: drift.drifted,
    psi: drift.psi,
    positiveRate: meanOf(input.decisions),
    referencePositiveRate: reference.positiveRate,
    bins,
  };
}

/**
 * Cost per decision expected from calibrated scores p and the decisions
 * made: a positive decision costs tp with probability p and fp otherwise, a
 * negative one fn with probability p and tn otherwise.
 */
export function estimatedCost(
  scores: Float64Array,
  decisions: Float64Array,
  costs: { tp: number; fp: number; fn: number; tn: number },
): number | null {
  let n = 0;
  let sum = 0;
  for (let i = 0; i < scores.length; i++) {
    const p = scores[i]!;
    const d = decisions[i]!;
    if (Number.isNaN(p) || Number.isNaN(d)) continue;
    n++;
    sum += d > 0 ? p * costs.tp + (1 - p) * costs.fp : p * costs.fn + (1 - p) * costs.tn;
  }
  return n === 0 ? null : sum / n;
}

/** Cost per decision on the labelled rows, and how many there are. */
export function realisedCost(
  decisions: Float64Array,
  labels: Float64Array,
  costs: { tp: number; fp: number; fn: number; tn: number },
): { cost: number | null; labelled: number; labelRate: number | null } {
  let n = 0;
  let sum = 0;
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    const d = decisions[i]!;
    if (Number.isNaN(y) || Number.isNaN(d)) continue;
    n++;
    if (y > 0) positives++;
    sum += d > 0 ? (y > 0 ? costs.tp : costs.fp) : y > 0 ? costs.fn : costs.tn;
  }
  return { cost: n === 0 ? null : sum / n, labelled: n, labelRate: n === 0 ? null : positives / n };
}

/**
 * The window's statistics.
 *
 * @example
 * const window = computeWindow(windowContext(bundle, settings), input);
 * window.features.filter((f) => f.drifted).map((f) => f.name) // ['distance']
 */
export function computeWindow(ctx: WindowContext, input: WindowInput): MonitorWindow {
  const rows = input.features.rowCount;
  const compare = rows >= ctx.settings.min_rows;
  const features = compare
    ? ctx.bundle.features.flatMap((name) => featureWindow(ctx, input, name) ?? [])
    : [];
  const driftScore = features.reduce((s, f) => s + (f.drifted ? f.importance : 0), 0);
  const latency = presentSorted(input.latencyMs);
  const costs = ctx.bundle.costs;
  const binary = ctx.bundle.task === 'binary';
  const realised = binary && costs ? realisedCost(input.decisions, input.labels, costs) : undefined;
  return {
    from: input.from,
    to: input.to,
    rows,
    versions: input.versions,
    features,
    driftScore: Math.min(1, driftScore),
    prediction: compare && binary ? predictionWindow(ctx, input) : null,
    latency: {
      p50: percentile(latency, 0.5),
      p95: percentile(latency, 0.95),
      p99: percentile(latency, 0.99),
      budgetP99: ctx.bundle.latencyBudget?.p99_ms ?? null,
      count: latency.length,
    },
    errors: {
      requests: input.requests,
      errors: input.errors,
      rate: input.requests === 0 ? null : input.errors / input.requests,
    },
    business: {
      currency: ctx.bundle.currency,
      estimatedCostPerDecision:
        binary && costs ? estimatedCost(input.scores, input.decisions, costs) : null,
      realisedCostPerDecision: realised?.cost ?? null,
      labelled: realised?.labelled ?? 0,
      labelRate: realised?.labelRate ?? null,
      referenceLabelRate: ctx.scores?.baseRate ?? null,
    },
  };
}
