/**
 * Label issues by confident learning (Northcutt, Jiang and Chuang, "Confident
 * Learning: Estimating Uncertainty in Dataset Labels", JAIR 2021), the method
 * behind cleanlab. From each row's given label and out-of-fold predicted
 * class probabilities:
 *
 * 1. per class j, the threshold t_j is the mean predicted p_j over rows
 *    labelled j (what the model says when it agrees with the label);
 * 2. the confident joint C[i][j] counts rows labelled i whose p_j ≥ t_j (the
 *    largest such j when several are);
 * 3. C is calibrated so each row sums to the class's row count and
 *    normalised into the joint Q of given and true labels; the off-diagonal
 *    mass of Q is the estimated share of wrong labels;
 * 4. prune by noise rate: for each i ≠ j, the round(n·Q[i][j]) rows labelled
 *    i with the largest margin p_j − p_i are issues, except rows whose most
 *    probable class is their label (cleanlab's final filter).
 *
 * Issues come ranked by that margin, most likely first. Pure TypeScript over
 * typed arrays: no data leaves the process.
 */
import type { Finding } from '../findings.js';

export interface LabelIssues {
  /** Flagged rows (indices into the labels), the most likely issue first. */
  readonly rows: Int32Array;
  /** Per flagged row: its given class. */
  readonly given: Int32Array;
  /** Per flagged row: the class the model confidently puts it in. */
  readonly suggested: Int32Array;
  /** Per flagged row: p(suggested) − p(given), the ranking key. */
  readonly margins: Float64Array;
  /** Per class j: t_j, the mean predicted p_j over rows labelled j. */
  readonly thresholds: Float64Array;
  /** C[i][j]: rows labelled i whose predicted p_j reaches t_j (the most probable such j). */
  readonly confidentJoint: readonly (readonly number[])[];
  /** Estimated share of labelled rows whose label is wrong (off-diagonal mass of the calibrated joint). */
  readonly noiseShare: number;
  /** Labelled rows considered. */
  readonly labelled: number;
}

/**
 * Finds likely label errors. `labels`: binary 0/1 (NaN unlabelled) or class
 * codes (-1 unlabelled). `probabilities`: out-of-fold predictions, either one
 * P(class 1) per row (binary) or n × k row-major class probabilities.
 *
 * @example
 * const oof = await outOfFoldProbabilities(train, { task: 'binary' });
 * const issues = findLabelIssues(train.target.values, oof.probabilities);
 * issues.rows.slice(0, 10); // the ten rows most likely mislabelled
 */
export function findLabelIssues(
  labels: Float64Array | Int32Array,
  probabilities: Float64Array,
): LabelIssues {
  const n = labels.length;
  const binary = probabilities.length === n;
  const k = binary ? 2 : n === 0 ? 2 : probabilities.length / n;
  if (!Number.isInteger(k) || k < 2) {
    throw new RangeError(
      `probabilities: expected ${n} (binary) or n × k values for ${n} labels, got ${probabilities.length}`,
    );
  }
  const p = binary
    ? (i: number, j: number) => (j === 1 ? probabilities[i]! : 1 - probabilities[i]!)
    : (i: number, j: number) => probabilities[i * k + j]!;
  const label = (i: number): number => {
    const y = labels[i]!;
    return Number.isInteger(y) && y >= 0 && y < k ? y : -1;
  };

  const count = new Float64Array(k);
  const sum = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const y = label(i);
    if (y < 0) continue;
    count[y]!++;
    sum[y]! += p(i, y);
  }
  // A class nobody carries cannot be confidently predicted: its threshold is +∞.
  const thresholds = Float64Array.from(count, (c, j) =>
    c > 0 ? sum[j]! / c : Number.POSITIVE_INFINITY,
  );

  const joint = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const argmax = new Int32Array(n);
  let labelled = 0;
  for (let i = 0; i < n; i++) {
    const y = label(i);
    if (y < 0) continue;
    labelled++;
    let confident = -1;
    let top = 0;
    for (let j = 0; j < k; j++) {
      const pj = p(i, j);
      if (pj > p(i, top)) top = j;
      // cleanlab's tolerance: a probability equal to the threshold up to rounding counts.
      if (pj >= thresholds[j]! - 1e-12 && (confident < 0 || pj > p(i, confident))) confident = j;
    }
    argmax[i] = top;
    if (confident >= 0) joint[y]![confident]!++;
  }

  // Calibrate each row of C to its class's row count, then normalise: Q[i][j] ≈ P(given i, true j).
  const calibrated = joint.map((row, i) => {
    const total = row.reduce((s, c) => s + c, 0);
    return row.map((c) => (total > 0 ? (c / total) * count[i]! : 0));
  });
  const mass = calibrated.flat().reduce((s, c) => s + c, 0);
  let noiseShare = 0;
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) if (i !== j && mass > 0) noiseShare += calibrated[i]![j]! / mass;

  // Prune by noise rate: the round(n·Q[i][j]) largest margins p_j − p_i among rows labelled i.
  const byClass = Array.from({ length: k }, () => [] as number[]);
  for (let i = 0; i < n; i++) {
    const y = label(i);
    if (y >= 0) byClass[y]!.push(i);
  }
  const best = new Map<number, { suggested: number; margin: number }>();
  for (let i = 0; i < k; i++) {
    const members = byClass[i]!;
    for (let j = 0; j < k; j++) {
      if (i === j || mass === 0) continue;
      const take = Math.min(members.length, Math.round((labelled * calibrated[i]![j]!) / mass));
      if (take === 0) continue;
      const margin = Float64Array.from(members, (r) => p(r, j) - p(r, i));
      const order = Int32Array.from(members, (_, m) => m).sort(
        (a, b) => margin[b]! - margin[a]! || members[a]! - members[b]!,
      );
      for (let m = 0; m < take; m++) {
        const row = members[order[m]!]!;
        if (argmax[row] === i) continue;
        const previous = best.get(row);
        if (!previous || margin[order[m]!]! > previous.margin)
          best.set(row, { suggested: j, margin: margin[order[m]!]! });
      }
    }
  }
  const flagged = [...best].sort((a, b) => b[1].margin - a[1].margin || a[0] - b[0]);
  return {
    rows: Int32Array.from(flagged, ([row]) => row),
    given: Int32Array.from(flagged, ([row]) => label(row)),
    suggested: Int32Array.from(flagged, ([, f]) => f.suggested),
    margins: Float64Array.from(flagged, ([, f]) => f.margin),
    thresholds,
    confidentJoint: joint,
    noiseShare,
    labelled,
  };
}

const EXAMPLES = 10;

/**
 * The `quality.label_issues` finding: a warning when the flagged share of
 * labelled rows exceeds `threshold` (spec `checks.label_issues_max`), an info
 * finding when some rows are flagged but fewer, nothing when none are.
 * `rows` maps an index into the labels to the dataset row it came from (e.g.
 * `rowsOf(data, 'train')`); `classes` names the class codes.
 *
 * @example
 * labelIssueFindings(issues, rowsOf(data, 'train'), spec.checks?.label_issues_max ?? 0.05);
 */
export function labelIssueFindings(
  issues: LabelIssues,
  rows?: ArrayLike<number>,
  threshold = 0.05,
  classes?: readonly string[],
): Finding[] {
  const count = issues.rows.length;
  if (count === 0 || issues.labelled === 0) return [];
  const share = count / issues.labelled;
  const name = (c: number) => classes?.[c] ?? c;
  const examples = Array.from(issues.rows.subarray(0, EXAMPLES), (r, m) => ({
    row: rows ? rows[r]! : r,
    given: name(issues.given[m]!),
    suggested: name(issues.suggested[m]!),
    margin: Math.round(issues.margins[m]! * 1e4) / 1e4,
  }));
  const over = share > threshold;
  return [
    {
      check: 'quality.label_issues',
      severity: over ? 'warn' : 'info',
      message: `${count} of ${issues.labelled} labelled training rows (${(100 * share).toFixed(1)}%) look mislabelled by confident learning${over ? `, more than the ${(100 * threshold).toFixed(1)}% allowed: review the top examples before training` : ''}`,
      evidence: {
        share: Math.round(share * 1e4) / 1e4,
        count,
        labelled: issues.labelled,
        threshold,
        estimatedNoiseShare: Math.round(issues.noiseShare * 1e4) / 1e4,
        confidentJoint: issues.confidentJoint,
        examples,
      },
    },
  ];
}
