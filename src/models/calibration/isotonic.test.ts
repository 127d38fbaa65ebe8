import { describe, expect, it } from 'vitest';
import { FlywheelError } from '../../errors.js';
import { IsotonicCalibrator, poolAdjacentViolators } from './isotonic.js';

describe('pool adjacent violators', () => {
  it('pools a violating run into its weighted mean', () => {
    // 0 | 1 0 0 → mean 1/3 | 1 1
    expect([...poolAdjacentViolators([0, 1, 0, 0, 1, 1], [1, 1, 1, 1, 1, 1])]).toEqual([
      0,
      1 / 3,
      1 / 3,
      1 / 3,
      1,
      1,
    ]);
    // Weights: (3·0.9 + 1·0.1) / 4 = 0.7, then 0.7 > 0.5 pools again: (4·0.7 + 4·0.5) / 8 = 0.6.
    expect(
      [...poolAdjacentViolators([0.9, 0.1, 0.5], [3, 1, 4])].map((v) => +v.toFixed(12)),
    ).toEqual([0.6, 0.6, 0.6]);
    expect([...poolAdjacentViolators([0.1, 0.2, 0.3], [1, 1, 1])]).toEqual([0.1, 0.2, 0.3]);
  });
});

describe('isotonic calibrator', () => {
  // Checked against scikit-learn 1.2.1 IsotonicRegression(out_of_bounds='clip').
  it('keeps the ends of constant runs, interpolates between them and clips outside', () => {
    const iso = IsotonicCalibrator.fit([1, 2, 3, 4, 5, 6], [0, 1, 0, 0, 1, 1]);
    expect([...iso.x]).toEqual([1, 2, 4, 5, 6]);
    expect([...iso.y]).toEqual([0, 1 / 3, 1 / 3, 1, 1]);
    const p = iso.apply([0, 1.5, 3, 4.5, 10, Number.NaN]);
    expect(p[0]).toBe(0);
    expect(p[1]).toBeCloseTo(1 / 6, 15);
    expect(p[2]).toBeCloseTo(1 / 3, 15);
    expect(p[3]).toBeCloseTo(2 / 3, 15);
    expect(p[4]).toBe(1);
    expect(p[5]).toBeNaN();
  });

  it('merges tied scores first, with weights', () => {
    const tied = IsotonicCalibrator.fit([1, 1, 2, 3], [1, 0, 0, 1]);
    expect([...tied.x]).toEqual([1, 2, 3]);
    expect([...tied.y].map((v) => +v.toFixed(12))).toEqual([0.333333333333, 0.333333333333, 1]);
    const weighted = IsotonicCalibrator.fit([3, 1, 2, 2, 5], [1, 0, 1, 0, 1], {
      weights: [1, 2, 1, 3, 1],
    });
    expect([...weighted.x]).toEqual([1, 2, 3, 5]);
    expect([...weighted.y]).toEqual([0, 0.25, 1, 1]);
  });

  it('is monotone on noisy data and survives JSON', () => {
    const scores = Array.from({ length: 200 }, (_, i) => Math.sin(i) * 3);
    const labels = scores.map((s, i) => (s + Math.cos(i * 7) > 0 ? 1 : 0));
    const iso = IsotonicCalibrator.fit(scores, labels);
    const grid = Array.from({ length: 101 }, (_, i) => -4 + 0.08 * i);
    const p = iso.apply(grid);
    for (let i = 1; i < p.length; i++) expect(p[i]!).toBeGreaterThanOrEqual(p[i - 1]!);
    const back = IsotonicCalibrator.fromJSON(JSON.parse(JSON.stringify(iso)));
    expect([...back.apply(grid)]).toEqual([...p]);
  });

  it('rejects single-class labels, bad labels and a corrupt file', () => {
    expect(() => IsotonicCalibrator.fit([1, 2], [1, 1])).toThrow(/both classes/);
    expect(() => IsotonicCalibrator.fit([1, 2], [0, 2])).toThrow(FlywheelError);
    expect(() =>
      IsotonicCalibrator.fromJSON({ method: 'isotonic', version: 1, x: [2, 1], y: [0, 1] }),
    ).toThrow(/invalid isotonic/);
  });
});
