/**
 * The sufficient statistics of every binary metric, gathered in one weighted
 * O(n) pass over rows sorted once (prepared-data.ts). A bootstrap replicate is
 * a weight vector, so each replicate costs one fused pass for all metrics, with
 * no sort. From the statistics:
 * - ROC AUC is the share of (positive, negative) pairs ordered correctly, ties
 *   counting one half (the Mann–Whitney U statistic);
 * - average precision is scikit-learn's step-wise Σ_t (R_t − R_{t−1}) · P_t
 *   over distinct thresholds t, without interpolation;
 * - the top k takes whole tie groups while they fit and a straddling group in
 *   proportion (the expectation under random tie-breaking);
 * - a threshold acts on the prefix of scores ≥ t; other decisions (top-k per
 *   period, given) are read per row;
 * - ECE sums |observed − predicted| per fixed equal-mass bin.
 */
import { equalMassBins, logLossTerms } from './binary-probability.js';
import type { BinaryData } from './prepared-data.js';

/** Which statistics a set of metrics needs. */
export interface BinaryNeeds {
  ranking?: boolean;
  logLoss?: boolean;
  brier?: boolean;
  /** Counts at the prepared per-row decisions. */
  acted?: boolean;
  thresholds?: number[];
  topK?: number[];
  eceBins?: number[];
}

/** True and false positives among the rows acted on. */
export interface ActedCounts {
  readonly tp: number;
  readonly fp: number;
}

export interface BinaryStatistics {
  readonly rows: number;
  readonly positives: number;
  /** Correctly ordered (positive, negative) pairs, ties counting one half. */
  readonly aucPairs: number;
  /** Σ ΔTP_t · P_t over thresholds; average precision is this over the positives. */
  readonly precisionSum: number;
  readonly logLossSum: number;
  readonly brierSum: number;
  readonly acted: ActedCounts;
  readonly byThreshold: ReadonlyMap<number, ActedCounts>;
  /** Positives among the k highest scores (rows taken: min(k, rows)). */
  readonly byTopK: ReadonlyMap<number, number>;
  /** Σ_b |observed_b − predicted_b| per bin count; ECE is this over the rows. */
  readonly eceGap: ReadonlyMap<number, number>;
}

/** The union of two sets of needs. */
export function mergeBinaryNeeds(a: BinaryNeeds, b: BinaryNeeds): BinaryNeeds {
  const union = (x?: number[], y?: number[]) => [...new Set([...(x ?? []), ...(y ?? [])])];
  return {
    ranking: a.ranking || b.ranking,
    logLoss: a.logLoss || b.logLoss,
    brier: a.brier || b.brier,
    acted: a.acted || b.acted,
    thresholds: union(a.thresholds, b.thresholds),
    topK: union(a.topK, b.topK),
    eceBins: union(a.eceBins, b.eceBins),
  };
}

const onesCache = new WeakMap<BinaryData, Float64Array>();

function ones(data: BinaryData): Float64Array {
  let w = onesCache.get(data);
  if (w === undefined) {
    w = new Float64Array(data.n).fill(1);
    onesCache.set(data, w);
  }
  return w;
}

/** Positions with a score ≥ t: the prefix a threshold acts on. */
function cutOf(scores: Float64Array, t: number): number {
  let lo = 0;
  let hi = scores.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (scores[mid]! >= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const EMPTY_BINS = new Uint16Array(0);

const ascending = (values: number[] | undefined): number[] =>
  [...new Set(values ?? [])].sort((a, b) => a - b);

/** Positives among the k highest scores, a straddling run of ties taken in proportion. */
function topKHits(data: BinaryData, k: number, w: Float64Array): number {
  const { labels, groupEnd, n } = data;
  let rows = 0;
  let positives = 0;
  let groupRows = 0;
  let groupPositives = 0;
  for (let j = 0; j < n; j++) {
    groupRows += w[j]!;
    groupPositives += w[j]! * labels[j]!;
    if (groupEnd[j] === 0) continue;
    if (rows + groupRows >= k) return positives + ((k - rows) / groupRows) * groupPositives;
    rows += groupRows;
    positives += groupPositives;
    groupRows = 0;
    groupPositives = 0;
  }
  return positives + groupPositives;
}

/** Keeps 0 / 0 at 0 where no weight has been seen yet. */
const TINY = 1e-300;

const RANKING = 1;
const LOG_LOSS = 2;
const BRIER = 4;
const ACTED = 8;
const BINS = 16;

// Slots of the running sums handed from one segment to the next.
const ROWS = 0;
const POSITIVES = 1;
const GROUP_ROWS = 2;
const GROUP_POSITIVES = 3;
const PAIRS = 4;
const PRECISION_SUM = 5;
const LOG_LOSS_SUM = 6;
const BRIER_SUM = 7;
const ACTED_TP = 8;
const ACTED_FP = 9;

/**
 * The hot loop over positions [start, end), alone in its function so that V8
 * optimises it whole (rare code after an on-stack-replaced loop deoptimises).
 */
function accumulate(
  data: BinaryData,
  w: Float64Array,
  logTerms: Float64Array,
  binOf: Uint16Array,
  binSums: Float64Array,
  flags: number,
  start: number,
  end: number,
  acc: Float64Array,
): void {
  const { scores, labels, groupEnd, decisions } = data;
  const ranking = (flags & RANKING) !== 0;
  const wantLog = (flags & LOG_LOSS) !== 0;
  const wantBrier = (flags & BRIER) !== 0;
  const wantActed = (flags & ACTED) !== 0;
  const wantBins = (flags & BINS) !== 0;
  let rows = acc[ROWS]!;
  let positives = acc[POSITIVES]!;
  let groupRows = acc[GROUP_ROWS]!;
  let groupPositives = acc[GROUP_POSITIVES]!;
  let pairs = acc[PAIRS]!;
  let precisionSum = acc[PRECISION_SUM]!;
  let logLossSum = acc[LOG_LOSS_SUM]!;
  let brierSum = acc[BRIER_SUM]!;
  let actedTp = acc[ACTED_TP]!;
  let actedFp = acc[ACTED_FP]!;
  for (let j = start; j < end; j++) {
    const wj = w[j]!;
    const yj = labels[j]!;
    const wp = wj * yj;
    groupRows += wj;
    groupPositives += wp;
    if (wantLog) logLossSum += wj * logTerms[j]!;
    if (wantBrier) {
      const d = scores[j]! - yj;
      brierSum += wj * d * d;
    }
    if (wantActed) {
      const act = decisions[j]!;
      actedTp += wp * act;
      actedFp += (wj - wp) * act;
    }
    if (wantBins) {
      const b = 2 * binOf[j]!;
      binSums[b]! += wp;
      binSums[b + 1]! += wj * scores[j]!;
    }
    // Where a run of equal scores ends (end = 1), fold it into the running
    // sums; branch-free, as runs end unpredictably on tied scores.
    const end = groupEnd[j]!;
    if (ranking) {
      pairs += end * (groupRows - groupPositives) * (positives + 0.5 * groupPositives);
      precisionSum +=
        (end * groupPositives * (positives + groupPositives)) / Math.max(rows + groupRows, TINY);
    }
    rows += end * groupRows;
    positives += end * groupPositives;
    groupRows *= 1 - end;
    groupPositives *= 1 - end;
  }
  acc[ROWS] = rows;
  acc[POSITIVES] = positives;
  acc[GROUP_ROWS] = groupRows;
  acc[GROUP_POSITIVES] = groupPositives;
  acc[PAIRS] = pairs;
  acc[PRECISION_SUM] = precisionSum;
  acc[LOG_LOSS_SUM] = logLossSum;
  acc[BRIER_SUM] = brierSum;
  acc[ACTED_TP] = actedTp;
  acc[ACTED_FP] = actedFp;
}

/**
 * The statistics in `needs`, over prepared rows weighted by `weights` (per
 * position; all ones when absent).
 *
 * @example
 * const data = prepareBinary(Float64Array.of(0.1, 0.4, 0.35, 0.8), Float64Array.of(0, 0, 1, 1));
 * const s = binaryStatistics(data, { ranking: true });
 * s.aucPairs / (s.positives * (s.rows - s.positives)); // 0.75
 */
export function binaryStatistics(
  data: BinaryData,
  needs: BinaryNeeds,
  weights?: Float64Array,
): BinaryStatistics {
  const n = data.n;
  const w = weights ?? ones(data);
  // One ECE bin count rides along in this pass; any further one takes its own.
  const [bins = 0, ...moreBins] = [...new Set(needs.eceBins ?? [])];
  const flags =
    (needs.ranking ? RANKING : 0) |
    (needs.logLoss ? LOG_LOSS : 0) |
    (needs.brier ? BRIER : 0) |
    (needs.acted ? ACTED : 0) |
    (bins > 0 ? BINS : 0);
  const logTerms = needs.logLoss ? logLossTerms(data) : data.scores;
  const binOf = bins > 0 ? equalMassBins(data, bins) : EMPTY_BINS;
  const binSums = new Float64Array(2 * bins);

  // A threshold acts on a prefix: the pass runs in segments ending at each
  // cut, and the counts are read between segments.
  const thresholds = ascending(needs.thresholds);
  const cutOfThreshold = new Map(thresholds.map((t) => [t, cutOf(data.scores, t)]));
  const segmentEnds = [...new Set([...cutOfThreshold.values(), n])].sort((a, b) => a - b);
  const atCut = new Map<number, ActedCounts>([[0, { tp: 0, fp: 0 }]]);
  const acc = new Float64Array(10);
  let start = 0;
  for (const end of segmentEnds) {
    accumulate(data, w, logTerms, binOf, binSums, flags, start, end, acc);
    atCut.set(end, { tp: acc[POSITIVES]!, fp: acc[ROWS]! - acc[POSITIVES]! });
    start = end;
  }

  const eceGap = new Map<number, number>();
  if (bins > 0) {
    let gap = 0;
    for (let b = 0; b < bins; b++) gap += Math.abs(binSums[2 * b]! - binSums[2 * b + 1]!);
    eceGap.set(bins, gap);
  }
  for (const b of moreBins) {
    eceGap.set(b, binaryStatistics(data, { eceBins: [b] }, weights).eceGap.get(b)!);
  }
  return {
    rows: acc[ROWS]!,
    positives: acc[POSITIVES]!,
    aucPairs: acc[PAIRS]!,
    precisionSum: acc[PRECISION_SUM]!,
    logLossSum: acc[LOG_LOSS_SUM]!,
    brierSum: acc[BRIER_SUM]!,
    acted: { tp: acc[ACTED_TP]!, fp: acc[ACTED_FP]! },
    byThreshold: new Map(thresholds.map((t) => [t, atCut.get(cutOfThreshold.get(t)!)!])),
    byTopK: new Map(ascending(needs.topK).map((k) => [k, topKHits(data, k, w)])),
    eceGap,
  };
}
