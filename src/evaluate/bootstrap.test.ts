/**
 * Bootstrap intervals: a replicate's weights are exactly a resampling of rows,
 * strata keep their sizes, a seed fixes the intervals, intervals cover the
 * true value about as often as they claim, and the paired bootstrap's
 * difference has the right sign.
 */
import { describe, expect, it } from 'vitest';
import {
  bootstrapIntervals,
  bootstrapReplicates,
  quantileOfSorted,
  strataOf,
} from './bootstrap.js';
import { bindMetrics } from './calculate.js';
import { binarySample, noisierScores } from './fixtures/synthetic.js';
import type { MetricRequest } from './metric-types.js';
import { pairedBootstrap } from './paired-bootstrap.js';
import { prepareBinary, prepareData } from './prepared-data.js';
import { Resampler } from './resampler.js';

describe('resampling', () => {
  it('keeps the size of every stratum and draws each row with replacement', () => {
    const strata = Int32Array.of(0, 0, 0, 1, 1, -1, 0, 1);
    const resampler = new Resampler(strata, 3);
    const counts = new Float64Array(strata.length);
    for (let r = 0; r < 50; r++) {
      resampler.draw(counts);
      let zero = 0;
      let one = 0;
      strata.forEach((s, i) => {
        if (s === 0) zero += counts[i]!;
        if (s === 1) one += counts[i]!;
      });
      expect([zero, one, counts[5]]).toEqual([4, 3, 0]);
    }
  });

  it('draws multinomial counts: the zero share and variance of sampling with replacement', () => {
    const moments = (size: number, draws: number, seed: number) => {
      // one stratum of `size` rows, plus a row of its own and an excluded row
      const strata = new Int32Array(size + 2);
      strata[size] = 1;
      strata[size + 1] = -1;
      const resampler = new Resampler(strata, seed);
      const counts = new Float64Array(strata.length);
      let zeros = 0;
      let squares = 0;
      for (let r = 0; r < draws; r++) {
        resampler.draw(counts);
        expect([counts[size], counts[size + 1]]).toEqual([1, 0]);
        for (let j = 0; j < size; j++) {
          zeros += counts[j] === 0 ? 1 : 0;
          squares += (counts[j]! - 1) ** 2;
        }
      }
      return { zeroShare: zeros / (size * draws), variance: squares / (size * draws) };
    };
    // n rows drawn n times: P(count = 0) = (1 − 1/n)^n, variance n · (1/n) · (1 − 1/n)
    const small = moments(10, 4000, 17);
    expect(small.zeroShare).toBeCloseTo(0.9 ** 10, 1);
    expect(small.variance).toBeCloseTo(0.9, 1);
    const large = moments(100_000, 20, 18);
    expect(large.zeroShare).toBeCloseTo(Math.exp(-1), 2);
    expect(large.variance).toBeCloseTo(1, 1);
  });

  it('gives, as weights, the same value as the materialised resample of rows', () => {
    const sample = binarySample(11, 300, 1.2);
    const data = prepareBinary(sample.scores, sample.labels, { threshold: 0.4 });
    const requests: MetricRequest[] = [
      'roc_auc',
      'pr_auc',
      'log_loss',
      'brier',
      'precision',
      'recall',
      'accuracy',
      'expected_cost',
      { name: 'precision_at_k', k: 40 },
    ];
    const set = bindMetrics(requests, data, { threshold: 0.4 });
    const counts = new Float64Array(data.n);
    new Resampler(strataOf(data, true), 5).draw(counts);
    const scores: number[] = [];
    const labels: number[] = [];
    counts.forEach((c, j) => {
      for (let t = 0; t < c; t++) {
        scores.push(data.scores[j]!);
        labels.push(data.labels[j]!);
      }
    });
    const materialised = prepareData(
      'binary',
      Float64Array.from(scores),
      Float64Array.from(labels),
      {
        threshold: 0.4,
      },
    );
    const expected = bindMetrics(requests, materialised, { threshold: 0.4 }).values();
    const got = set.values(counts);
    requests.forEach((r, i) => {
      expect(got[i], JSON.stringify(r)).toBeCloseTo(expected[i]!, 10);
    });
  });

  it('interpolates quantiles linearly, as numpy', () => {
    expect(quantileOfSorted([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(quantileOfSorted([1, 2, 3, 4], 0.975)).toBeCloseTo(3.925, 12);
  });
});

describe('bootstrap intervals', () => {
  const sample = binarySample(7, 2000, 1.0);
  const data = prepareData('binary', sample.scores, sample.labels);
  const set = bindMetrics(['roc_auc', 'brier'], data);

  it('are the same for the same seed and differ for another', () => {
    const a = bootstrapIntervals(set, { seed: 1, resamples: 100 });
    const b = bootstrapIntervals(set, { seed: 1, resamples: 100 });
    const c = bootstrapIntervals(set, { seed: 2, resamples: 100 });
    expect(b).toEqual(a);
    expect(c[0]!.lower).not.toBe(a[0]!.lower);
  });

  it('bracket the estimate and widen with the confidence level', () => {
    const [auc95] = bootstrapIntervals(set, { resamples: 200 });
    const [auc80] = bootstrapIntervals(set, { resamples: 200, confidence: 0.8 });
    expect(auc95!.lower).toBeLessThan(auc95!.estimate);
    expect(auc95!.upper).toBeGreaterThan(auc95!.estimate);
    expect(auc80!.upper - auc80!.lower).toBeLessThan(auc95!.upper - auc95!.lower);
    expect(auc95!.resamples).toBe(200);
    expect(auc95!.standardError).toBeGreaterThan(0);
  });

  it('contain the true AUC on synthetic data, about as often as claimed', () => {
    const [one] = bootstrapIntervals(set, { resamples: 200 });
    expect(one!.lower).toBeLessThanOrEqual(sample.trueAuc);
    expect(one!.upper).toBeGreaterThanOrEqual(sample.trueAuc);
    let covered = 0;
    const trials = 40;
    for (let t = 0; t < trials; t++) {
      const s = binarySample(100 + t, 400, 1.0);
      const d = prepareData('binary', s.scores, s.labels);
      const [iv] = bootstrapIntervals(bindMetrics(['roc_auc'], d), { resamples: 200, seed: t });
      if (iv!.lower <= s.trueAuc && s.trueAuc <= iv!.upper) covered++;
    }
    // nominal 95%: 40 trials give fewer than 33 hits with probability < 0.1%
    expect(covered).toBeGreaterThanOrEqual(33);
  });

  it('share one set of replicates across metrics', () => {
    const together = bootstrapReplicates(set, { resamples: 30 });
    const alone = bootstrapReplicates(bindMetrics(['brier'], data), { resamples: 30 });
    expect(together[1]).toEqual(alone[0]);
  });

  it('work for regression (unstratified) and multiclass (stratified by class)', () => {
    const y = Float64Array.from({ length: 200 }, (_, i) => i % 17);
    const p = y.map((v, i) => v + ((i * 7) % 5) - 2);
    const [mae] = bootstrapIntervals(bindMetrics(['mae'], prepareData('regression', p, y)), {
      resamples: 50,
    });
    expect(mae!.lower).toBeLessThanOrEqual(mae!.estimate);
    const classes = Int32Array.from({ length: 90 }, (_, i) => i % 3);
    const probabilities = Float64Array.from({ length: 270 }, (_, i) =>
      Math.floor(i / 3) % 3 === i % 3 ? 0.5 : 0.25,
    );
    const [accuracy] = bootstrapIntervals(
      bindMetrics(['accuracy'], prepareData('multiclass', probabilities, classes)),
      { resamples: 50 },
    );
    expect(accuracy!.estimate).toBe(1);
    expect(accuracy!.lower).toBe(1);
  });
});

describe('paired bootstrap', () => {
  const sample = binarySample(21, 3000, 1.4);
  const worse = noisierScores(22, sample, 1.5);

  it('finds the better model with the right sign and probability', () => {
    const c = pairedBootstrap(
      'roc_auc',
      'binary',
      { name: 'strong', predictions: sample.scores },
      { name: 'weak', predictions: worse },
      sample.labels,
      {},
      { resamples: 200 },
    );
    expect(c.estimateA).toBeGreaterThan(c.estimateB);
    expect(c.difference.estimate).toBeCloseTo(c.estimateA - c.estimateB, 12);
    expect(c.difference.lower).toBeGreaterThan(0);
    expect(c.probabilityABetter).toBeGreaterThan(0.99);
    expect(c.improvement.estimate).toBeCloseTo((c.estimateA - c.estimateB) / c.estimateB, 12);

    const swapped = pairedBootstrap(
      'roc_auc',
      'binary',
      { name: 'weak', predictions: worse },
      { name: 'strong', predictions: sample.scores },
      sample.labels,
      {},
      { resamples: 200 },
    );
    expect(swapped.difference.upper).toBeLessThan(0);
    expect(swapped.probabilityABetter).toBeLessThan(0.01);
  });

  it('reads "better" in the metric’s direction (lower log loss wins)', () => {
    const c = pairedBootstrap(
      'log_loss',
      'binary',
      { name: 'strong', predictions: sample.scores },
      { name: 'weak', predictions: worse },
      sample.labels,
    );
    expect(c.better).toBe('lower');
    expect(c.difference.upper).toBeLessThan(0);
    expect(c.improvement.lower).toBeGreaterThan(0);
    expect(c.probabilityABetter).toBeGreaterThan(0.99);
  });

  it('gives a zero difference and probability ½ for one model against itself', () => {
    const c = pairedBootstrap(
      'pr_auc',
      'binary',
      { name: 'a', predictions: sample.scores },
      { name: 'b', predictions: sample.scores },
      sample.labels,
      {},
      { resamples: 50 },
    );
    expect([c.difference.lower, c.difference.upper]).toEqual([0, 0]);
    expect(c.probabilityABetter).toBe(0.5);
  });

  it('is narrower than the unpaired spread of the two intervals', () => {
    const c = pairedBootstrap(
      'roc_auc',
      'binary',
      { name: 'strong', predictions: sample.scores },
      { name: 'weak', predictions: worse },
      sample.labels,
    );
    const single = (p: Float64Array) =>
      bootstrapIntervals(bindMetrics(['roc_auc'], prepareData('binary', p, sample.labels)))[0]!;
    const a = single(sample.scores);
    const b = single(worse);
    expect(c.difference.standardError).toBeLessThan(Math.hypot(a.standardError, b.standardError));
  });
});
