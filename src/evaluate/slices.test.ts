/**
 * Slices: metrics per value of a categorical column, minimum support, both
 * classes for AUC, the worst slices ranked and flagged, and a clear error for
 * a column that does not exist.
 */
import { describe, expect, it } from 'vitest';
import type { Column, Frame } from '../data/index.js';
import { FlywheelError } from '../errors.js';
import { binarySample } from './fixtures/synthetic.js';
import { sliceMetrics } from './slices.js';

/** Three airports: ORD predicted well, EWR at random, SFO too small; some rows missing. */
function airports() {
  const n = 2400;
  const good = binarySample(31, n, 2.0);
  const random = binarySample(32, n, 0);
  const dictionary = ['ORD', 'EWR', 'SFO'];
  const codes = new Int32Array(n);
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    codes[i] = i < 1200 ? 0 : i < 2300 ? 1 : i < 2350 ? 2 : -1;
    scores[i] = codes[i] === 1 ? random.scores[i]! : good.scores[i]!;
  }
  const labels = Float64Array.from(good.labels, (y, i) => (codes[i] === 1 ? random.labels[i]! : y));
  const columns = new Map<string, Column>([
    ['origin', { type: 'categorical', codes, dictionary }],
    ['distance', { type: 'numeric', values: new Float64Array(n) }],
  ]);
  const frame: Frame = {
    rowCount: n,
    schema: [
      { name: 'origin', type: 'categorical' },
      { name: 'distance', type: 'numeric' },
    ],
    columns,
  };
  return { frame, scores, labels, codes, dictionary };
}

describe('slices', () => {
  const { frame, scores, labels, codes, dictionary } = airports();

  it('compute metrics per value with support, rank worst first and flag the significantly worse', () => {
    const [report] = sliceMetrics({
      task: 'binary',
      predictions: scores,
      labels,
      frame,
      columns: ['origin'],
      metrics: ['roc_auc', 'brier'],
      bootstrap: { resamples: 100 },
    });
    expect(report!.column).toBe('origin');
    expect(report!.metric).toBe('roc_auc');
    expect(report!.slices.map((s) => s.value)).toEqual(['EWR', 'ORD']);
    expect(report!.slices.map((s) => s.rows)).toEqual([1100, 1200]);
    expect(report!.flagged).toEqual(['EWR']);
    expect(report!.worst).toEqual(['EWR', 'ORD']);
    const ewr = report!.slices[0]!;
    expect(ewr.metrics[0]!.interval!.upper).toBeLessThan(report!.overall);
    expect(ewr.metrics[1]!.name).toBe('brier');
    expect(report!.skipped).toEqual([
      { value: 'SFO', rows: 50, reason: '50 labelled rows, fewer than 100' },
      { value: null, rows: 50, reason: '50 labelled rows, fewer than 100' },
    ]);
  });

  it('accept codes and a dictionary directly, and a lower minimum support', () => {
    const [report] = sliceMetrics({
      task: 'binary',
      predictions: scores,
      labels,
      columns: [{ name: 'origin', codes, dictionary }],
      metrics: ['roc_auc'],
      minSupport: 40,
      bootstrap: false,
    });
    expect(report!.slices.map((s) => s.value).sort()).toEqual(['EWR', 'ORD', 'SFO', null].sort());
    expect(report!.flagged).toEqual([]);
    expect(report!.slices[0]!.value).toBe('EWR');
  });

  it('skip a slice with one class when a ranking metric needs both', () => {
    const onlyNegatives = Float64Array.from(labels, (y, i) => (codes[i] === 2 ? 0 : y));
    const [report] = sliceMetrics({
      task: 'binary',
      predictions: scores,
      labels: onlyNegatives,
      frame,
      columns: ['origin'],
      metrics: ['roc_auc'],
      minSupport: 10,
      bootstrap: false,
    });
    expect(report!.skipped).toContainEqual({
      value: 'SFO',
      rows: 50,
      reason: 'only one class, so no ranking metric',
    });
  });

  it('name a missing column and list the columns there are', () => {
    const act = () =>
      sliceMetrics({
        task: 'binary',
        predictions: scores,
        labels,
        frame,
        columns: ['orign'],
        metrics: ['roc_auc'],
      });
    expect(act).toThrow(FlywheelError);
    expect(act).toThrow(
      'slice column "orign" does not exist (did you mean "origin"?); columns are: origin, distance',
    );
    expect(act).toThrow(expect.objectContaining({ code: 'SCHEMA_MISSING_COLUMN' }));
  });

  it('refuse a numeric column and a column of the wrong length', () => {
    expect(() =>
      sliceMetrics({
        task: 'binary',
        predictions: scores,
        labels,
        frame,
        columns: ['distance'],
        metrics: ['roc_auc'],
      }),
    ).toThrow(/slice column "distance" is numeric; slices need a categorical column/);
    expect(() =>
      sliceMetrics({
        task: 'binary',
        predictions: scores,
        labels,
        columns: [{ name: 'x', codes: new Int32Array(3), dictionary: ['a'] }],
        metrics: ['roc_auc'],
      }),
    ).toThrow(/has 3 values for 2400 predictions/);
  });

  it('rank lower-is-better metrics with the highest values first', () => {
    const [report] = sliceMetrics({
      task: 'binary',
      predictions: scores,
      labels,
      frame,
      columns: ['origin'],
      metrics: ['log_loss'],
      bootstrap: false,
    });
    expect(report!.better).toBe('lower');
    expect(report!.slices[0]!.value).toBe('EWR');
  });
});
