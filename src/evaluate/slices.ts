/**
 * Slices: metrics per value of chosen categorical columns (e.g. per origin
 * airport), on the same rows and decisions as the whole evaluation (the
 * decision rule is applied once, to all rows, then sliced). A slice needs a
 * minimum support of labelled rows (default 100), and both classes for the
 * ranking metrics. Slices are ranked by the first metric, worst first; a
 * slice is flagged when its whole bootstrap interval is worse than the
 * overall value, which a bottom-N list alone cannot tell from noise.
 */
import type { CategoricalColumn, Frame } from '../data/index.js';
import { FlywheelError } from '../errors.js';
import { didYouMean } from '../spec/index.js';
import { type BootstrapOptions, bootstrapIntervals, type Interval } from './bootstrap.js';
import { bindMetrics, metricLabel } from './calculate.js';
import type { Labels, MetricContext, MetricRequest, Task } from './metric-types.js';
import { type PreparedData, prepareData } from './prepared-data.js';
import { selectPositions } from './select-positions.js';

/** Labelled rows a slice needs to be reported. */
export const DEFAULT_MIN_SUPPORT = 100;
/** Slices named in a report's `worst` list. */
export const DEFAULT_WORST = 5;
/** Binary metrics without a value unless both classes are present. */
const NEEDS_BOTH_CLASSES = new Set(['roc_auc', 'pr_auc', 'lift_at_k']);

/** A categorical column given directly: class codes per row (−1 missing) and their names. */
export interface SliceColumn {
  readonly name: string;
  readonly codes: Int32Array;
  readonly dictionary: readonly string[];
}

export interface SliceInput {
  readonly task: Task;
  readonly predictions: Float64Array;
  readonly labels: Labels;
  readonly context?: MetricContext;
  /** Column names of `frame`, or columns given directly. */
  readonly columns: readonly (string | SliceColumn)[];
  readonly frame?: Frame;
  /** Metrics per slice; the first ranks and flags the slices. */
  readonly metrics: readonly MetricRequest[];
  readonly minSupport?: number;
  /** How many slices the `worst` list names (default 5). */
  readonly worst?: number;
  /** Intervals per slice (default on); `false` ranks on estimates only and flags nothing. */
  readonly bootstrap?: BootstrapOptions | false;
}

export interface SliceMetric {
  readonly name: string;
  /** The name with its own parameters, e.g. `precision_at_k@100`. */
  readonly label: string;
  readonly estimate: number;
  readonly interval?: Interval;
}

export interface Slice {
  /** The column's value; null for rows where it is missing. */
  readonly value: string | null;
  readonly rows: number;
  /** Binary tasks: labelled positives in the slice. */
  readonly positives?: number;
  readonly metrics: readonly SliceMetric[];
  /** The first metric's interval lies entirely on the worse side of its overall value. */
  readonly flagged: boolean;
}

export interface SkippedSlice {
  readonly value: string | null;
  readonly rows: number;
  readonly reason: string;
}

export interface SliceReport {
  readonly column: string;
  /** The ranking metric (the first requested) and its direction and overall value. */
  readonly metric: string;
  readonly better: 'higher' | 'lower';
  readonly overall: number;
  readonly minSupport: number;
  /** Slices with enough support, worst first. */
  readonly slices: readonly Slice[];
  /** Values of the worst slices (bottom N by the ranking metric). */
  readonly worst: readonly (string | null)[];
  /** Values of the flagged slices. */
  readonly flagged: readonly (string | null)[];
  readonly skipped: readonly SkippedSlice[];
}

function resolveColumn(
  column: string | SliceColumn,
  frame: Frame | undefined,
  rows: number,
): SliceColumn {
  let resolved: SliceColumn;
  if (typeof column === 'string') {
    const names = frame?.schema.map((f) => f.name) ?? [];
    const found = frame?.columns.get(column);
    if (found === undefined) {
      throw new FlywheelError(
        'SCHEMA_MISSING_COLUMN',
        `slice column "${column}" does not exist${didYouMean(column, names)}; columns are: ${names.length > 0 ? names.join(', ') : '(no frame given)'}`,
        { details: { column, columns: names } },
      );
    }
    if (found.type !== 'categorical') {
      throw new FlywheelError(
        'SCHEMA_TYPE_MISMATCH',
        `slice column "${column}" is ${found.type}; slices need a categorical column`,
      );
    }
    const categorical: CategoricalColumn = found;
    resolved = { name: column, codes: categorical.codes, dictionary: categorical.dictionary };
  } else resolved = column;
  if (resolved.codes.length !== rows) {
    throw new FlywheelError(
      'USAGE',
      `slice column "${resolved.name}" has ${resolved.codes.length} values for ${rows} predictions`,
    );
  }
  return resolved;
}

/** Prepared positions grouped by the column's code (the last group: missing). */
function groupPositions(data: PreparedData, column: SliceColumn): Int32Array[] {
  const missing = column.dictionary.length;
  const codeOf = (j: number) => {
    const code = column.codes[data.rows[j]!]!;
    return code < 0 || code >= missing ? missing : code;
  };
  const sizes = new Int32Array(missing + 1);
  for (let j = 0; j < data.n; j++) sizes[codeOf(j)]!++;
  const groups = Array.from(sizes, (size) => new Int32Array(size));
  const filled = new Int32Array(missing + 1);
  for (let j = 0; j < data.n; j++) {
    const code = codeOf(j);
    groups[code]![filled[code]!++] = j;
  }
  return groups;
}

/**
 * Metrics per slice of each column, worst slices first, with flags.
 *
 * @example
 * const [byOrigin] = sliceMetrics({
 *   task: 'binary', predictions, labels, frame: test, columns: ['origin'],
 *   metrics: ['roc_auc', 'cost_per_decision'], context: { threshold: 0.21 },
 * });
 * byOrigin.flagged; // e.g. ['EWR']: AUC interval entirely below the overall AUC
 */
export function sliceMetrics(input: SliceInput): SliceReport[] {
  const { task, predictions, labels, metrics } = input;
  const context = input.context ?? {};
  const minSupport = input.minSupport ?? DEFAULT_MIN_SUPPORT;
  const worstCount = input.worst ?? DEFAULT_WORST;
  if (metrics.length === 0) throw new FlywheelError('USAGE', 'slices need at least one metric');
  if (!Number.isInteger(minSupport) || minSupport < 1) {
    throw new FlywheelError(
      'USAGE',
      `minSupport must be a positive whole number, got ${minSupport}`,
    );
  }
  const columns = input.columns.map((c) => resolveColumn(c, input.frame, labels.length));
  const data = prepareData(task, predictions, labels, context);
  const overallSet = bindMetrics(metrics, data, context);
  const overall = overallSet.values()[0]!;
  const better = overallSet.infos[0]!.better;
  const labelsOf = overallSet.configs.map(metricLabel);
  const bothClasses =
    task === 'binary' && overallSet.configs.some((c) => NEEDS_BOTH_CLASSES.has(c.name));

  return columns.map((column) => {
    const slices: Slice[] = [];
    const skipped: SkippedSlice[] = [];
    groupPositions(data, column).forEach((positions, code) => {
      const value = column.dictionary[code] ?? null;
      const rows = positions.length;
      if (rows === 0) return;
      if (rows < minSupport) {
        skipped.push({ value, rows, reason: `${rows} labelled rows, fewer than ${minSupport}` });
        return;
      }
      const sliceData = selectPositions(data, positions);
      const positives = sliceData.task === 'binary' ? sliceData.positives : undefined;
      if (bothClasses && (positives === 0 || positives === rows)) {
        skipped.push({ value, rows, reason: 'only one class, so no ranking metric' });
        return;
      }
      const set = bindMetrics(metrics, sliceData, context);
      const estimates = set.values();
      const intervals =
        input.bootstrap === false ? undefined : bootstrapIntervals(set, input.bootstrap);
      const first = intervals?.[0];
      const flagged =
        first !== undefined &&
        (better === 'higher' ? first.upper < overall : first.lower > overall);
      slices.push({
        value,
        rows,
        ...(positives === undefined ? {} : { positives }),
        metrics: set.configs.map((c, i) => ({
          name: c.name,
          label: labelsOf[i]!,
          estimate: estimates[i]!,
          ...(intervals === undefined ? {} : { interval: intervals[i]! }),
        })),
        flagged,
      });
    });
    const score = (s: Slice) => s.metrics[0]!.estimate;
    slices.sort((a, b) => {
      const x = score(a);
      const y = score(b);
      if (Number.isNaN(x) || Number.isNaN(y))
        return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1;
      return better === 'higher' ? x - y : y - x;
    });
    return {
      column: column.name,
      metric: labelsOf[0]!,
      better,
      overall,
      minSupport,
      slices,
      worst: slices.slice(0, worstCount).map((s) => s.value),
      flagged: slices.filter((s) => s.flagged).map((s) => s.value),
      skipped,
    };
  });
}
